import Foundation
import Simulation
import Testing

/// The deterministic simulation, as the test command runs it: a few hundred seeds of the whole marketplace
/// under faults, every invariant checked; in the PostgreSQL pass (every seed a database of its own), twenty.
/// `scripts/simulate` runs more.
@Suite struct SimulationTests {
    /// Seeds the test command runs (TICKETING_SIMULATION_SEEDS overrides).
    static var seedCount: Int {
        let environment = ProcessInfo.processInfo.environment
        return environment["TICKETING_SIMULATION_SEEDS"].flatMap { Int($0) }
            ?? (environment["TICKETING_TEST_DATABASE_URL"] == nil ? 300 : 20)
    }

    @Test func everyInvariantHoldsUnderFaults() async throws {
        guard Self.seedCount > 0 else { return }
        let seeds = Array(UInt64(1)...UInt64(Self.seedCount))
        let reports = try await SimulationRun.run(seeds: seeds, jobs: 2)
        let summary = SimulationRun.Summary(reports)
        #expect(summary.failed.isEmpty, "\(summary.text(elapsed: 0))")
        // The run did what it is for: faults of every kind fell, crashes were recovered from, orders ended
        // both ways and money moved.
        // (A few seeds — the PostgreSQL pass runs 20 — may miss the rarest kinds; those that test the storage
        // engine fall in every run of that size.)
        let faults = Set(reports.flatMap { $0.faults.filter { $0.value > 0 }.keys })
        if seeds.count >= 100 {
            #expect(faults == Set(FaultKind.allCases))
        } else {
            #expect(faults.isSuperset(of: [.statement, .crash, .handlerTimeout, .lostAcknowledgement, .redelivery]))
        }
        #expect(reports.map(\.restarts).reduce(0, +) > seeds.count)
        #expect(reports.map(\.ordersComplete).reduce(0, +) > 0)
        #expect(reports.map(\.ordersCancelled).reduce(0, +) > 0)
        #expect(reports.map(\.refunds).reduce(0, +) > 0)
    }

    @Test func aSeedReplaysExactly() async throws {
        let first = try #require(try await SimulationRun.run(seeds: [7], jobs: 1).first)
        let again = try #require(try await SimulationRun.run(seeds: [7], jobs: 1).first)
        #expect(first.steps == again.steps)
        #expect(first.answers == again.answers)
        #expect(first.faults == again.faults)
        #expect(first.deliveries == again.deliveries)
        #expect(first.violations == again.violations)
    }
}
