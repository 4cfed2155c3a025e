import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import Synchronization
import Testing

/// `ticketing invoke <function> --url URL`: the event sent to a function running elsewhere, the answer printed
/// as a local invoke prints it.
@Suite struct RemoteInvokeTests {
    @Test func anHTTPAndAnEventFunctionInContainersAnswerAsLocally() async throws {
        var runner = CommandRunner()
        // The key the containers sign and check sessions with: `--user` signs with it too.
        runner.environment = ["JWT_KEY": FunctionCommandTests.key]
        defer { runner.cleanUp() }
        let tickets = try FunctionCommandTests.container("tickets-create", runner: runner)
        defer { tickets.stop() }
        let orders = try FunctionCommandTests.container("orders-on-ticket-created", runner: runner)
        defer { orders.stop() }

        // The HTTP event becomes the request it describes, signed in with the key the container shares.
        let event = try runner.run(["events", "generate", "tickets-create", "--body", #"{"title":"Aida","price":40}"#])
            .stdout
        let created = try runner.run(
            [
                "invoke", "tickets-create", "--event", "-", "--user", "vera@example.com", "--url",
                tickets.baseURL.absoluteString,
            ], stdin: event)
        #expect(created.status == 0, "\(created.stderr)")
        #expect(created.object["statusCode"] as? Int == 201, "\(created.stdout)")
        let body = (created.object["body"] as? String).flatMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
        #expect(body?["title"] as? String == "Aida")
        #expect((created.object["headers"] as? [String: String])?["x-request-id"] != nil)
        let unsigned = try runner.run(
            ["invoke", "tickets-create", "--event", "-", "--url", tickets.baseURL.absoluteString], stdin: event)
        #expect(unsigned.status == 0, "the function ran: its 401 is the result")
        #expect(unsigned.object["statusCode"] as? Int == 401)

        // The event function's sample, in binary mode; the same event again is a duplicate.
        let handled = try runner.run(
            ["invoke", "orders-on-ticket-created", "--url", orders.baseURL.absoluteString, "--output", "json"])
        #expect(handled.status == 0, "\(handled.stderr)")
        #expect((handled.object["outcome"] as? [String: Any])?["status"] as? String == "handled", "\(handled.stdout)")
        #expect((handled.object["traceId"] as? String)?.count == 32)
        let again = try runner.run(["invoke", "orders-on-ticket-created", "--url", orders.baseURL.absoluteString])
        #expect(again.object["status"] as? String == "duplicate", "\(again.stdout)")
        // What the function cannot take is refused in one line, as locally.
        let rejected = try runner.run(
            ["invoke", "orders-on-ticket-created", "--event", "-", "--url", orders.baseURL.absoluteString],
            stdin: #"{"id":5}"#)
        #expect(rejected.status != 0)
        #expect(rejected.stderr.contains("rejected by orders-on-ticket-created"), "\(rejected.stderr)")
        #expect(rejected.stderr.contains("required property 'title' is missing"), "\(rejected.stderr)")
        #expect(!rejected.stderr.contains(#"{"errors""#), "the function's words, not its whole body")

        let nobody = try runner.run(["invoke", "tickets-list", "--url", "http://127.0.0.1:9"])
        #expect(nobody.status != 0)
        #expect(nobody.stderr.contains("cannot reach http://127.0.0.1:9"), "\(nobody.stderr)")
        let bad = try runner.run(["invoke", "tickets-list", "--url", "ftp://x", "--follow"])
        #expect(bad.status != 0)
        #expect(bad.stderr.contains("--url takes an http(s)://host:port URL"), "\(bad.stderr)")
    }

    /// Against a Lambda Runtime Interface Emulator (a fake, run by the test): the event is posted as it is to
    /// the emulator's invocation path and the function's result, or its Lambda error, comes back.
    @Test func aLambdaEmulatorGetsTheEventAsItIs() async throws {
        let received = Mutex<[String]>([])
        let router = Router()
        router.post("/2015-03-31/functions/function/invocations") { request, _ -> Response in
            let body = String(buffer: try await request.body.collect(upTo: 1 << 20))
            received.withLock { $0.append(body) }
            let answer =
                body.contains(#""specversion""#)
                ? #"{"errorType":"Runtime.RejectedEvent","errorMessage":"not this one"}"#
                : #"{"statusCode":200,"headers":{"content-type":"application/json"},"body":"[]","cookies":[],"isBase64Encoded":false}"#
            var headers = HTTPFields()
            headers[.contentType] = "application/json"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: answer)))
        }
        try await LoopbackServer.with(router) { base in
            let runner = CommandRunner()
            defer { runner.cleanUp() }
            let url = base + "2015-03-31/functions/function/invocations"
            let listed = try await runner.runOffThread(["invoke", "tickets-list", "--url", url])
            #expect(listed.status == 0, "\(listed.stderr)")
            #expect(listed.object["statusCode"] as? Int == 200)
            #expect(listed.object["body"] as? String == "[]")
            let sent = try #require(received.withLock { $0.first })
            let request = try JSONSerialization.jsonObject(with: Data(sent.utf8)) as? [String: Any]
            #expect(request?["rawPath"] as? String == "/api/tickets", "the v2 event itself: \(sent)")
            #expect((request?["headers"] as? [String: String])?["traceparent"] != nil)

            let refused = try await runner.runOffThread(["invoke", "orders-on-ticket-created", "--url", url])
            #expect(refused.status != 0)
            #expect(refused.stderr.contains("not this one"), "\(refused.stderr)")
            let event = try #require(received.withLock { $0.last })
            #expect(event.contains(#""type":"ticket:created""#), "the CloudEvent, structured: \(event)")
        }
    }
}
