import Foundation
import FunctionKit
import FunctionTesting
import Logging
import Runtime

/// Publish → consumer commit latency, and how late timers fire, with the background loops `serve` runs.
enum DeliveryBenchmark {
    static func run() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "ticketing-bench-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let bench = BenchService()
        let invoker = try await bench.invoker(directory: directory)
        try await invoker.prepare()
        let dispatcher = Dispatcher(invoker: invoker)
        let scheduler = Scheduler(invoker: invoker)
        let loops = [
            Task { await dispatcher.run(resync: .seconds(3600)) }, Task { await scheduler.run(resync: .seconds(3600)) },
        ]
        var arrivals = bench.arrivals.makeAsyncIterator()
        let token = try await invoker.sessions.issue(userID: "u1", email: "u1@example.com", now: Date()).token

        // 1. One event at a time: the time from the publishing commit to the consumer's commit, while wrk
        //    sends POST /api/tickets through the gateway (whose events the consumer also takes), then idle.
        let loadSeconds: Int64 = 6
        var logger = Logger(label: "bench")
        logger.logLevel = .warning
        let (port, gateway) = try await GatewayBenchmark.start(Gateway(invoker: invoker, logger: logger))
        let load = try Load.start(
            "http://127.0.0.1:\(port)/api/tickets", seconds: Int(loadSeconds),
            script: Load.script(
                method: "POST", body: #"{"title":"Load","price":10}"#, headers: ["Authorization": "Bearer \(token)"]))
        let loadEnds = ContinuousClock.now + .seconds(loadSeconds)
        var loaded: [Double] = []
        var latencies: [Double] = []
        var index = 0
        /// Lists a ticket in-process and returns how long after its commit the consumer committed it.
        func sample() async throws -> (committed: ContinuousClock.Instant, milliseconds: Double) {
            index += 1
            let request = HTTPRequest(
                method: "POST", path: "/api/tickets", routeKey: "POST /api/tickets",
                headers: ["content-type": "application/json", "authorization": "Bearer \(token)"],
                body: #"{"title":"Bench \#(index)","price":10}"#)
            let created = try await invoker.invoke(http: "tickets-create", request: request)
            let committed = ContinuousClock.now
            let id = created.response.jsonBody?["id"]?.stringValue
            while let (arrived, _) = await arrivals.next(), arrived != id {}
            return (committed, (ContinuousClock.now - committed).milliseconds)
        }
        // While the load runs (the first few left out: wrk is still connecting), then once it is over.
        while ContinuousClock.now < loadEnds {
            let (committed, elapsed) = try await sample()
            if index > 3, committed < loadEnds { loaded.append(elapsed) }
        }
        let result = load?.finish()
        try await Task.sleep(for: .milliseconds(500))
        for _ in 0..<500 { latencies.append(try await sample().milliseconds) }
        gateway.cancel()
        _ = try? await gateway.value
        for (label, samples) in [
            ("delivery publish→consumer commit, under POST load", loaded),
            ("delivery publish→consumer commit, idle", latencies),
        ] where !samples.isEmpty {
            Figure.print(
                label,
                String(
                    format: "p50 %.3f ms, p99 %.3f ms (n=%d)", percentile(samples, 0.5), percentile(samples, 0.99),
                    samples.count), goal: "p50 ≤ 2 ms, p99 ≤ 10 ms")
        }
        if let result {
            Figure.print("  (the POST load meanwhile)", Figure.number(result.requestsPerSecond) + " req/s")
        }

        // 2. Timers spread over two seconds: how long after its due time each fired (committed).
        let database = try await invoker.database(for: "bench")
        let context = FunctionContext(
            functionName: "bench-test", invocationID: "bench", clock: SystemClock(), logger: invoker.logger,
            session: nil, sessions: invoker.sessions, database: database,
            effects: EffectLog(onCommit: invoker.commits.committed))
        let count = 300
        for index in 0..<count {
            let dueAt = Date().addingTimeInterval(0.05 + Double.random(in: 0..<2))
            try await context.transaction { transaction in
                try await transaction.schedule(
                    "bench-fire", payload: ["dueAt": dueAt.timeIntervalSince1970], at: dueAt, key: "timer-\(index)")
            }
        }
        var lateness: [Double] = []
        while lateness.count < count, let (id, late) = await arrivals.next() {
            if id == "fire" { lateness.append(late) }
        }
        Figure.print(
            "scheduler lateness (fired − due)",
            String(
                format: "p50 %.3f ms, p99 %.3f ms (n=%d)", percentile(lateness, 0.5), percentile(lateness, 0.99),
                lateness.count), goal: "keep (was p50 2.5 ms, p99 8.0 ms)")
        dispatcher.stop()
        scheduler.stop()
        for loop in loops { await loop.value }
        await invoker.storage.shutdown()
    }
}
