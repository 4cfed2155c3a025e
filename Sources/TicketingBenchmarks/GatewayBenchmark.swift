import Foundation
import FunctionKit
import FunctionTesting
import Hummingbird
import Logging
import Runtime
import Synchronization

/// Requests through the gateway next to a bare Hummingbird route in the same process and run.
enum GatewayBenchmark {
    /// Starts `responder` on a free loopback port and returns the port and the task serving it.
    static func start<Responder: HTTPResponder>(_ responder: Responder) async throws -> (Int, Task<Void, any Error>)
    where Responder.Context: RequestContext, Responder.Context.Source == ApplicationRequestContextSource {
        var logger = Logger(label: "bench")
        logger.logLevel = .critical
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let application = Application(
            responder: responder,
            configuration: ApplicationConfiguration(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in continuation.yield(channel.localAddress?.port ?? 0) },
            logger: logger)
        let task = Task { try await application.run() }
        var iterator = ports.makeAsyncIterator()
        return (await iterator.next() ?? 0, task)
    }

    static func run() async throws {
        guard Load.wrk != nil else {
            print("gateway: wrk not installed (scripts/bench installs it); skipped")
            return
        }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "ticketing-bench-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let invoker = try await BenchService().invoker(directory: directory)
        try await invoker.prepare()
        let token = try await invoker.sessions.issue(userID: "u1", email: "u1@example.com", now: Date()).token
        let created = try await invoker.invoke(
            http: "tickets-create",
            request: FunctionKit.HTTPRequest(
                method: "POST", path: "/api/tickets", routeKey: "POST /api/tickets",
                headers: ["content-type": "application/json", "authorization": "Bearer \(token)"],
                body: #"{"title":"Bench","price":10}"#))
        let ticketBody = created.response.body
        let id = created.response.jsonBody?["id"]?.stringValue ?? ""

        var logger = Logger(label: "bench")
        logger.logLevel = .warning
        let (gatewayPort, gateway) = try await start(Gateway(invoker: invoker, logger: logger))
        let router = Router()
        router.get("/api/tickets/:id") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "application/json; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(string: ticketBody)))
        }
        router.post("/api/tickets") { request, _ in
            _ = try await request.body.collect(upTo: 1 << 20)
            return Response(
                status: .created, headers: [.contentType: "application/json; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(string: ticketBody)))
        }
        let (barePort, bare) = try await start(router.buildResponder())

        let post = Load.script(
            method: "POST", body: #"{"title":"Bench","price":10}"#, headers: ["Authorization": "Bearer \(token)"])
        for (label, path, script) in [
            ("GET /api/tickets/{id}", "/api/tickets/\(id)", nil), ("POST /api/tickets", "/api/tickets", post),
        ] {
            guard let viaGateway = try Load.run("http://127.0.0.1:\(gatewayPort)\(path)", script: script),
                let viaBare = try Load.run("http://127.0.0.1:\(barePort)\(path)", script: script)
            else {
                print("\(label): wrk gave no figures")
                continue
            }
            print(
                "\(label) gateway".padding(toLength: 44, withPad: " ", startingAt: 0)
                    + String(format: "%9.0f req/s", viaGateway.requestsPerSecond)
                    + "   p50 \(viaGateway.p50)   p99 \(viaGateway.p99)"
                    + (viaGateway.non2xx > 0 ? "   non-2xx \(viaGateway.non2xx)" : ""))
            print(
                "\(label) bare Hummingbird".padding(toLength: 44, withPad: " ", startingAt: 0)
                    + String(format: "%9.0f req/s", viaBare.requestsPerSecond)
                    + "   p50 \(viaBare.p50)   p99 \(viaBare.p99)"
                    + String(format: "   gateway/bare %.2f", viaGateway.requestsPerSecond / viaBare.requestsPerSecond))
        }
        gateway.cancel()
        bare.cancel()
        _ = try? await gateway.value
        _ = try? await bare.value
        await invoker.storage.shutdown()
    }
}
