import Foundation
import FunctionKit
import FunctionTesting
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

        // 1. One event at a time: the time from the publishing commit to the consumer's commit.
        var latencies: [Double] = []
        for index in 0..<520 {
            let request = HTTPRequest(
                method: "POST", path: "/api/tickets", routeKey: "POST /api/tickets",
                headers: ["content-type": "application/json", "authorization": "Bearer \(token)"],
                body: #"{"title":"Bench \#(index)","price":10}"#)
            _ = try await invoker.invoke(http: "tickets-create", request: request)
            let committed = ContinuousClock.now
            _ = await arrivals.next()
            let elapsed = ContinuousClock.now - committed
            if index >= 20 {
                latencies.append(
                    Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15)
            }
        }
        print(
            "delivery latency publish→consumer commit".padding(toLength: 44, withPad: " ", startingAt: 0)
                + String(
                    format: "p50 %8.3f ms   p99 %8.3f ms   (n=%d)", percentile(latencies, 0.5),
                    percentile(latencies, 0.99), latencies.count))

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
        while lateness.count < count, let (_, late) = await arrivals.next() { lateness.append(late) }
        print(
            "scheduler lateness (fired − due)".padding(toLength: 44, withPad: " ", startingAt: 0)
                + String(
                    format: "p50 %8.3f ms   p99 %8.3f ms   (n=%d)", percentile(lateness, 0.5),
                    percentile(lateness, 0.99), lateness.count))
        dispatcher.stop()
        scheduler.stop()
        for loop in loops { await loop.value }
        await invoker.storage.shutdown()
    }
}
