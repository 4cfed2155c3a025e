import Foundation
import FunctionKit
import Runtime

/// `tickets-show` through `Invoker.invoke(http:request:)`, as the gateway and `invoke` call it: the cost of an
/// invocation without HTTP.
enum InvokerBenchmark {
    static func run() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "ticketing-bench-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let (invoker, _, created) = try await BenchService().market(directory: directory)
        let id = created.response.jsonBody?["id"]?.stringValue ?? ""
        let show = HTTPRequest(
            method: "GET", path: "/api/tickets/\(id)", routeKey: "GET /api/tickets/{id}", pathParameters: ["id": id])
        var samples: [Double] = []
        for index in 0..<5000 {
            let start = ContinuousClock.now
            let answer = try await invoker.invoke(http: "tickets-show", request: show)
            let elapsed = (ContinuousClock.now - start).milliseconds
            guard answer.response.statusCode == 200 else {
                throw BenchFailure("tickets-show answered \(answer.response)")
            }
            if index >= 200 { samples.append(elapsed) }
        }
        report("tickets-show in-process through the invoker", samples, goal: "median ≤ 0.1 ms")
        await invoker.storage.shutdown()
    }
}
