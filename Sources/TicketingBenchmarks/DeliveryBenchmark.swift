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
        let dispatcher = Dispatcher(invoker.deliveryContext())
        let scheduler = Scheduler(invoker.deliveryContext())
        let loops = [
            Task { await dispatcher.run(resync: .seconds(3600)) }, Task { await scheduler.run(resync: .seconds(3600)) },
        ]
        var arrivals = bench.arrivals.makeAsyncIterator()
        let token = try await invoker.sessions.issue(userID: "u1", email: "u1@example.com", now: Date()).token

        // 1. One event at a time: the time from the publishing commit to the consumer's commit, while wrk
        //    sends POST /api/tickets through the gateway (whose events the consumer also takes): first at the
        //    issue's POST load (5,000 req/s, paced), then as fast as it answers (both cores busy); then idle.
        let loadSeconds: Int64 = 6
        var logger = Logger(label: "bench")
        logger.logLevel = .warning
        let (port, gateway) = try await GatewayBenchmark.start(
            Gateway(invoker: invoker, metrics: invoker.metrics, logger: logger))
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
        let url = "http://127.0.0.1:\(port)/api/tickets"
        let script = { (pause: Int?) in
            Load.script(
                method: "POST", body: #"{"title":"Load","price":10}"#, headers: ["Authorization": "Bearer \(token)"],
                pause: pause)
        }
        /// Samples while wrk runs (the first few left out: wrk is still connecting).
        func underLoad(connections: Int, pause: Int?) async throws -> (samples: [Double], load: LoadResult?) {
            let load = try Load.start(
                url, seconds: Int(loadSeconds), connections: connections, script: script(pause))
            let loadEnds = ContinuousClock.now + .seconds(loadSeconds)
            let first = index
            var samples: [Double] = []
            while ContinuousClock.now < loadEnds {
                let (committed, elapsed) = try await sample()
                if index > first + 3, committed < loadEnds { samples.append(elapsed) }
            }
            let result = load?.finish()
            try await Task.sleep(for: .milliseconds(500))
            return (samples, result)
        }
        let pacing = try Load.paced(url, rate: 5000, script: script)
        let paced = try await underLoad(connections: pacing.connections, pause: pacing.pause)
        let saturating = try await underLoad(connections: 16, pause: nil)
        var idle: [Double] = []
        for _ in 0..<500 { idle.append(try await sample().milliseconds) }
        gateway.cancel()
        _ = try? await gateway.value
        func report(_ label: String, _ samples: [Double], goal: String) {
            guard !samples.isEmpty else { return }
            Figure.print(
                label,
                String(
                    format: "p50 %.3f ms, p99 %.3f ms (n=%d)", percentile(samples, 0.5), percentile(samples, 0.99),
                    samples.count), goal: goal)
        }
        let rate = { (load: LoadResult?) in Figure.number(load?.requestsPerSecond ?? 0) + " req/s" }
        report(
            "delivery, POST paced to 5,000 req/s (\(rate(paced.load)))",
            paced.samples, goal: "p50 ≤ 2 ms, p99 ≤ 10 ms")
        report(
            "delivery, POST flat out (\(rate(saturating.load)))", saturating.samples,
            goal: "none (both cores busy; for comparison)")
        report("delivery publish→consumer commit, idle", idle, goal: "p50 ≤ 2 ms, p99 ≤ 10 ms")

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
