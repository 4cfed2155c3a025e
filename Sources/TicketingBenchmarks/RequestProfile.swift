import Foundation
import FunctionKit
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import NIOPosix
import Runtime
import SQLKit

/// Requests answered by the gateway's responder in this process, with no socket in between: what
/// `scripts/bench` runs under callgrind to count the instructions one request costs.
///
/// `ticketing-benchmarks requests get|post N` prepares a ticket and a session, answers a few requests to warm
/// up, then answers N more and exits. Two runs with different N give the instructions of one request as the
/// difference over the difference, with start-up and warm-up cancelled out. `get-logged` is `get` with the
/// access log on, as `serve` runs at its default `LOG_LEVEL` (lines to standard error); `post-delivered` is
/// `post` with a dispatcher pass after each request, which delivers its `ticket:created` to a subscriber
/// whose handler commits an empty transaction: the difference from `post` is what delivering one event costs.
enum RequestProfile {
    static func run(_ requested: String, count: Int) async throws {
        let logged = requested.hasSuffix("-logged")
        let delivered = requested.hasSuffix("-delivered")
        let kind = logged || delivered ? String(requested.prefix { $0 != "-" }) : requested
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "ticketing-bench-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let (invoker, token, created) = try await BenchService().market(directory: directory)
        let id = created.response.jsonBody?["id"]?.stringValue ?? ""
        var logger = Logger(label: "bench")
        logger.logLevel = logged ? .info : .warning
        let gateway = Gateway(invoker: invoker, metrics: invoker.metrics, logger: logger)
        // A listening socket nobody connects to stands in for the connection a request would come on.
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton).bind(
            host: "127.0.0.1", port: 0
        ).get()
        let post = kind == "post"
        var head = HTTPTypes.HTTPRequest(
            method: post ? .post : .get, scheme: "http", authority: "127.0.0.1",
            path: post ? "/api/tickets" : "/api/tickets/\(id)")
        head.headerFields[.userAgent] = "wrk"
        let body = ByteBuffer(string: post ? #"{"title":"Bench","price":10}"# : "")
        if post {
            head.headerFields[.contentType] = "application/json"
            head.headerFields[.contentLength] = "\(body.readableBytes)"
            head.headerFields[.authorization] = "Bearer \(token)"
        }
        var failures = 0
        if kind == "invoke" || kind == "select" || kind == "raw" || kind == "json" {
            let show = FunctionKit.HTTPRequest(
                method: "GET", path: "/api/tickets/\(id)", routeKey: "GET /api/tickets/{id}", pathParameters: ["id": id]
            )
            let database = try await invoker.database(for: "tickets")
            let columns = ["seq", "id", "title", "price_cents", "user_id", "version", "order_id"].map { SQLColumn($0) }
            let body = created.response.jsonBody ?? .null
            for _ in 0..<(50 + count) {
                switch kind {
                case "invoke":
                    _ = try await invoker.invoke(http: "tickets-show", request: show)
                case "select":
                    _ = try await database.read { sql in
                        try await sql.select().columns(columns).from("tickets").where("id", .equal, id).first()
                    }
                case "raw":
                    _ = try await database.read { sql in
                        try await sql.raw(
                            "SELECT seq, id, title, price_cents, user_id, version, order_id FROM tickets WHERE id = \(bind: id)"
                        ).first()
                    }
                default:
                    _ = try FunctionKit.HTTPResponse.json(200, body)
                }
            }
            try await channel.close()
            await invoker.storage.shutdown()
            return
        }
        let dispatcher = delivered ? Dispatcher(invoker.deliveryContext()) : nil
        _ = try await dispatcher?.deliverDue()  // the event of the ticket the market was set up with
        for _ in 0..<(50 + count) {
            let request = Request(head: head, body: RequestBody(buffer: body))
            let context = GatewayContext(source: ApplicationRequestContextSource(channel: channel, logger: logger))
            let response = try await gateway.respond(to: request, context: context)
            if response.status.code >= 300 { failures += 1 }
            if let dispatcher, try await dispatcher.deliverDue().deliveries.count != 1 { failures += 1 }
        }
        try await channel.close()
        await invoker.storage.shutdown()
        if failures > 0 {
            print("requests: \(failures) answered with an error")
            exit(1)
        }
    }
}
