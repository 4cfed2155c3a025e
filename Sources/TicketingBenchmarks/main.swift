import Auth
import Foundation
import FunctionKit
import FunctionTesting
import Logging
import Runtime
import Tickets

// Benchmarks that print figures (scripts/bench builds them in release and runs them). They time, they do not
// judge: each figure is printed next to its goal (issue 14) for people to compare, never asserted by tests.

func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    return sorted.isEmpty ? 0 : sorted[sorted.count / 2]
}

func milliseconds(_ body: () throws -> Void) rethrows -> Double {
    let start = ContinuousClock.now
    try body()
    return (ContinuousClock.now - start).milliseconds
}

extension Duration {
    /// The duration in milliseconds.
    var milliseconds: Double {
        Double(components.seconds) * 1000 + Double(components.attoseconds) / 1e15
    }
}

func report(_ name: String, _ samples: [Double], goal: String = "") {
    Figure.print(
        name,
        String(
            format: "median %.3f ms, p90 %.3f ms (n=%d)", median(samples), percentile(samples, 0.9), samples.count),
        goal: goal)
}

/// Everything the benchmarks do, in order; `arguments` may ask for one request profile instead.
func benchmarks(_ arguments: [String]) async throws {
    // `requests <kind> N`: only answer N requests in-process (for callgrind, see RequestProfile).
    if arguments.count == 4, arguments[1] == "requests", let count = Int(arguments[3]) {
        try await RequestProfile.run(arguments[2], count: count)
        return
    }
    let binary = URL(fileURLWithPath: arguments[0]).deletingLastPathComponent().appendingPathComponent("ticketing")
    guard FileManager.default.isExecutableFile(atPath: binary.path) else {
        print(
            "ticketing binary not found next to the benchmarks (\(binary.path)); build it with the same configuration")
        exit(1)
    }

    // `TICKETING_BENCH_ONLY=gateway,delivery` (say) runs only those groups (hash, invoker, invoke, gateway,
    // delivery, serve, postgres), for iterating on one figure.
    let only = ProcessInfo.processInfo.environment["TICKETING_BENCH_ONLY"].map {
        Set($0.split(separator: ",").map(String.init))
    }
    func wanted(_ group: String) -> Bool { only?.contains(group) ?? true }

    // 1. Password hashing at the production cost.
    if wanted("hash") {
        let hasher = PasswordHasher()
        var hashing: [Double] = []
        for _ in 0..<15 { hashing.append(try milliseconds { _ = try hasher.hash("correct horse battery staple") }) }
        report("scrypt hash (N=2^14, r=8, p=1)", hashing)
    }

    // 2. tickets-show in-process through the invoker: session resolution, SQLite read, JSON, the deadline.
    if wanted("invoker") { try await InvokerBenchmark.run() }

    // 3. `ticketing invoke tickets-show` as a whole process (start, read the manifest, run, print).
    if wanted("invoke") { try InvokeProcessBenchmark.run(binary: binary) }

    // 4. The local runtime: gateway throughput next to bare Hummingbird, delivery latency under POST load,
    //    scheduler lateness.
    if wanted("gateway") { try await GatewayBenchmark.run() }
    if wanted("delivery") { try await DeliveryBenchmark.run() }

    // 5. The real `serve`: memory idle and after 100,000 requests; PostgreSQL next to pgbench.
    try ServeBenchmark.run(binary: binary, memory: wanted("serve"), postgres: wanted("postgres"))
}

// The main thread waits for the benchmarks instead of handing itself to Dispatch (an `async` main ends the
// main thread with `pthread_exit`, which valgrind 3.19, Debian 12's, cannot follow: callgrind needs this). The
// task is detached: top-level code is on the main actor, whose thread is the one waiting here.
// Log lines as `ticketing` writes them (its handler renders metadata only for lines written).
LoggingSystem.bootstrap { StandardErrorLogHandler(label: $0, level: .warning) }
let finished = DispatchSemaphore(value: 0)
let arguments = CommandLine.arguments
nonisolated(unsafe) var failure: (any Error)?
Task.detached {
    do {
        try await benchmarks(arguments)
    } catch {
        failure = error
    }
    finished.signal()
}
finished.wait()
if let failure {
    print("benchmarks failed: \(failure)")
    exit(1)
}
