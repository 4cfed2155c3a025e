import ArgumentParser
import Foundation
import Simulation

/// `ticketing-simulate`: runs the deterministic simulation over many seeds and reports what broke.
@main
struct SimulateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ticketing-simulate",
        abstract: "Run the whole marketplace under seeded requests and faults, and check its invariants.",
        discussion: """
            Each seed runs every service, delivery, the scheduler and a mock Stripe on a simulated clock, \
            with a seeded workload and seeded faults (failed statements, crashes, handler timeouts, lost \
            answers, Stripe errors and slow answers, redeliveries, clock jumps), then checks the invariants. \
            A seed replays exactly: `--seed S` reruns one and prints everything it found.
            """)

    @Option(help: "How many seeds to run, starting at --first.")
    var seeds = 100

    @Option(help: "The first seed of the run.")
    var first: UInt64 = 1

    @Option(help: "Run this one seed only (its report in full).")
    var seed: UInt64?

    @Flag(help: "Also print how many requests got each answer, and every violation.")
    var verbose = false

    @Option(help: "Seeds run side by side (each runs alone, one step at a time).")
    var jobs = max(1, ProcessInfo.processInfo.activeProcessorCount)

    func run() async throws {
        let started = Date()
        let chosen = seed.map { [$0] } ?? Array(first..<(first + UInt64(max(0, seeds))))
        let reports = try await SimulationRun.run(seeds: chosen, jobs: max(1, jobs))
        let summary = SimulationRun.Summary(reports)
        print(summary.text(elapsed: Date().timeIntervalSince(started), verbose: verbose || seed != nil))
        if !summary.failed.isEmpty { throw ExitCode.failure }
    }
}
