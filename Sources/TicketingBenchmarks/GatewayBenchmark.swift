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

    /// Bare Hummingbird's GET req/s in this run, for `serve`'s figure to be held against.
    static let bareGET = Mutex<Double?>(nil)

    static func run() async throws {
        guard Load.wrk != nil else {
            print("gateway: wrk not installed (scripts/bench installs it); skipped")
            return
        }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "ticketing-bench-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let (invoker, token, created) = try await BenchService().market(directory: directory)
        let ticketBody = created.response.body
        let id = created.response.jsonBody?["id"]?.stringValue ?? ""

        var logger = Logger(label: "bench")
        logger.logLevel = .warning
        let (gatewayPort, gateway) = try await start(
            Gateway(invoker: invoker, metrics: invoker.metrics, logger: logger))
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
        let get = "/api/tickets/\(id)"
        // Three rounds, the two servers taking turns, and each one's median round: the machine is shared, and
        // one run of each, one after the other, put the ratio anywhere between 0.4 and 0.65.
        let viaGatewayGET: LoadResult?
        let viaBareGET: LoadResult?
        (viaGatewayGET, viaBareGET) = try Load.alternating(
            "http://127.0.0.1:\(gatewayPort)\(get)", "http://127.0.0.1:\(barePort)\(get)")
        let viaGatewayPOST: LoadResult?
        let viaBarePOST: LoadResult?
        (viaGatewayPOST, viaBarePOST) = try Load.alternating(
            "http://127.0.0.1:\(gatewayPort)/api/tickets", "http://127.0.0.1:\(barePort)/api/tickets", script: post)
        for (label, result) in [
            ("GET /api/tickets/{id} bare Hummingbird", viaBareGET), ("GET /api/tickets/{id} gateway", viaGatewayGET),
            ("POST /api/tickets bare Hummingbird", viaBarePOST), ("POST /api/tickets gateway (SQLite)", viaGatewayPOST),
        ] {
            guard let result else {
                Figure.print(label, "wrk gave no figures")
                continue
            }
            Figure.print(
                label,
                Figure.number(result.requestsPerSecond) + " req/s, p50 \(result.p50), p99 \(result.p99)"
                    + (result.non2xx > 0 ? ", non-2xx \(result.non2xx)" : ""))
        }
        bareGET.withLock { $0 = viaBareGET?.requestsPerSecond }
        let getRatio = (viaGatewayGET?.requestsPerSecond ?? 0) / max(1, viaBareGET?.requestsPerSecond ?? 0)
        let postRatio = (viaGatewayPOST?.requestsPerSecond ?? 0) / max(1, viaBarePOST?.requestsPerSecond ?? 0)
        Figure.print("GET gateway ÷ bare Hummingbird", Figure.number(getRatio, 2), goal: "≥ 0.6")
        Figure.print(
            "POST gateway req/s, and ÷ bare Hummingbird",
            Figure.number(viaGatewayPOST?.requestsPerSecond ?? 0) + " req/s, " + Figure.number(postRatio, 2),
            goal: "≥ 5000 req/s, ≥ 0.25")
        gateway.cancel()
        bare.cancel()
        _ = try? await gateway.value
        _ = try? await bare.value
        await invoker.storage.shutdown()
    }
}
