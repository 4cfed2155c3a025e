import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import Testing

/// `ticketing function` under AWS Lambda: the binary started with `AWS_LAMBDA_RUNTIME_API` pointing at a
/// fake Runtime API run by the test, which hands out events and records the answers.
@Suite struct LambdaTests {
    static let key = "lambda-test-key-0123456789-abcdefghijklmnopqrstuvwxyz-0123456789"

    @Test func anHTTPFunctionAnswersAPIGatewayEvents() async throws {
        try await FakeRuntimeAPI.with { api in
            let runner = CommandRunner()
            defer { runner.cleanUp() }
            let event = try runner.run(["events", "generate", "tickets-list"]).stdout
            await api.enqueue(id: "req-1", body: event)
            await api.enqueue(id: "req-2", body: #"{"not":"an API Gateway event"}"#)
            let lambda = try BackgroundCommand(
                ["function"],
                environment: api.environment(function: "tickets-list").merging([
                    "AWS_LAMBDA_LOG_FORMAT": "JSON", "AWS_LAMBDA_LOG_LEVEL": "INFO",
                ]) { $1 }, runner: runner, ready: "lambda:")
            defer { lambda.stop() }
            let answers = try await api.answers(2)
            // The request carried no traceparent: it continues the trace of Lambda's X-Ray header.
            try await eventually("the invocation's line names Lambda's trace") {
                lambda.stderr.split(separator: "\n").contains {
                    $0.contains(#""trace_id":"5759e988bd862e3fe1be46a994272793""#) && $0.contains("req-1")
                }
            }
            #expect(answers[0].requestID == "req-1")
            #expect(answers[0].kind == "response")
            let response = try JSONSerialization.jsonObject(with: Data(answers[0].body.utf8)) as? [String: Any]
            #expect(response?["statusCode"] as? Int == 200, "\(answers[0].body)")
            #expect(answers[1].kind == "error")
            #expect(answers[1].errorType == "Runtime.InvalidEvent", "\(answers[1].body)")
        }
    }

    @Test func anEventFunctionTakesCloudEventsAndSQSBatches() async throws {
        try await FakeRuntimeAPI.with { api in
            let runner = CommandRunner()
            defer { runner.cleanUp() }
            let sample = try String(
                contentsOf: CommandRunner.root.appendingPathComponent("events/orders-on-ticket-created.json"),
                encoding: .utf8)
            let other = sample.replacingOccurrences(of: "sample-orders-on-ticket-created", with: "evt-2")
                .replacingOccurrences(of: "5d41402a", with: "aaaaaaaa")
            let wrongType = sample.replacingOccurrences(of: #""ticket:created""#, with: #""order:created""#)
                .replacingOccurrences(of: "sample-orders-on-ticket-created", with: "evt-3")
            func quoted(_ text: String) throws -> String {
                String(decoding: try JSONSerialization.data(withJSONObject: [text], options: []), as: UTF8.self)
                    .dropFirst().dropLast().description
            }
            let batch = """
                {"Records":[{"messageId":"m-1","body":\(try quoted(other))},\
                {"messageId":"m-2","body":\(try quoted(wrongType))}]}
                """
            await api.enqueue(id: "req-1", body: sample)
            await api.enqueue(id: "req-2", body: sample)
            await api.enqueue(id: "req-3", body: batch)
            let lambda = try BackgroundCommand(
                ["function"], environment: api.environment(function: "orders-on-ticket-created"), runner: runner,
                ready: "lambda:")
            defer { lambda.stop() }
            let answers = try await api.answers(3)
            #expect(answers.map(\.kind) == ["response", "response", "response"], "\(answers)")
            #expect(answers[0].body.contains(#""status":"handled""#), "\(answers[0].body)")
            #expect(answers[1].body.contains(#""status":"duplicate""#), "\(answers[1].body)")
            let failures = try JSONSerialization.jsonObject(with: Data(answers[2].body.utf8)) as? [String: Any]
            #expect(
                failures?["batchItemFailures"] as? [[String: String]] == [["itemIdentifier": "m-2"]],
                "\(answers[2].body)")
        }
    }

    @Test func aFunctionThatCannotStartIsReportedAsAnInitError() async throws {
        try await FakeRuntimeAPI.with { api in
            var runner = CommandRunner()
            runner.environment = api.environment(function: "tickets-nope")
            defer { runner.cleanUp() }
            let result = try await runner.runOffThread(["function"])
            #expect(result.status != 0)
            let initErrors = await api.initErrors
            #expect(initErrors.count == 1)
            #expect(initErrors.first?.contains("unknown function 'tickets-nope'") == true, "\(initErrors)")
        }
    }
}

/// A Lambda Runtime API on loopback: `next` hands out queued events (waiting while there are none), and the
/// runtime's responses, errors and init errors are recorded.
actor FakeRuntimeAPI {
    struct Answer: Sendable, CustomStringConvertible {
        var requestID: String
        var kind: String
        var body: String
        var errorType: String?
        var description: String { "\(requestID) \(kind) \(errorType ?? "") \(body)" }
    }

    private var queue: [(id: String, body: String)] = []
    private var waiting: [CheckedContinuation<(id: String, body: String)?, Never>] = []
    private var closed = false
    private(set) var answers: [Answer] = []
    private(set) var initErrors: [String] = []
    nonisolated let port: Int

    init(port: Int) {
        self.port = port
    }

    /// Runs `body` with a fake API listening on a free port.
    static func with(_ body: (FakeRuntimeAPI) async throws -> Void) async throws {
        let (ports, portFound) = AsyncStream.makeStream(of: Int.self)
        let box = APIBox()
        let router = Router()
        router.get("/2018-06-01/runtime/invocation/next") { _, _ -> Response in
            guard let api = box.api, let event = await api.next() else { return Response(status: .gone) }
            var headers = HTTPFields()
            if let name = HTTPField.Name("Lambda-Runtime-Aws-Request-Id") { headers[name] = event.id }
            if let name = HTTPField.Name("Lambda-Runtime-Trace-Id") { headers[name] = FakeRuntimeAPI.traceHeader }
            headers[.contentType] = "application/json"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: event.body)))
        }
        router.post("/2018-06-01/runtime/invocation/:id/:kind") { request, context -> HTTPResponse.Status in
            let body = try await request.body.collect(upTo: 1 << 20)
            let errorType = HTTPField.Name("Lambda-Runtime-Function-Error-Type").flatMap { request.headers[$0] }
            await box.api?.record(
                Answer(
                    requestID: context.parameters.get("id") ?? "", kind: context.parameters.get("kind") ?? "",
                    body: String(buffer: body), errorType: errorType))
            return .accepted
        }
        router.post("/2018-06-01/runtime/init/error") { request, _ -> HTTPResponse.Status in
            let body = try await request.body.collect(upTo: 1 << 20)
            await box.api?.recordInitError(String(buffer: body))
            return .accepted
        }
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in portFound.yield(channel.localAddress?.port ?? 0) })
        let server = Task { try await app.runService(gracefulShutdownSignals: []) }
        var iterator = ports.makeAsyncIterator()
        let port = await iterator.next() ?? 0
        let api = FakeRuntimeAPI(port: port)
        box.api = api
        do {
            try await body(api)
        } catch {
            await api.close()
            server.cancel()
            throw error
        }
        await api.close()
        server.cancel()
    }

    /// The X-Ray trace header Lambda sends with every event.
    static let traceHeader = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1"

    /// The environment Lambda would give `function`.
    nonisolated func environment(function: String) -> [String: String] {
        ["AWS_LAMBDA_RUNTIME_API": "127.0.0.1:\(port)", "FUNCTION": function, "JWT_KEY": LambdaTests.key]
    }

    func enqueue(id: String, body: String) {
        if waiting.isEmpty {
            queue.append((id, body))
        } else {
            waiting.removeFirst().resume(returning: (id, body))
        }
    }

    func next() async -> (id: String, body: String)? {
        if !queue.isEmpty { return queue.removeFirst() }
        if closed { return nil }
        return await withCheckedContinuation { waiting.append($0) }
    }

    func close() {
        closed = true
        for waiter in waiting { waiter.resume(returning: nil) }
        waiting = []
    }

    func record(_ answer: Answer) { answers.append(answer) }
    func recordInitError(_ body: String) { initErrors.append(body) }

    /// The first `count` answers, waiting up to 30 s for them.
    func answers(_ count: Int) async throws -> [Answer] {
        for _ in 0..<600 where answers.count < count {
            try await Task.sleep(for: .milliseconds(50))
        }
        guard answers.count >= count else {
            throw Shopper.Failure(description: "only \(answers.count) of \(count) answers: \(answers)")
        }
        return Array(answers.prefix(count))
    }
}

/// Lets the router's handlers reach the fake, which exists only once the port is known.
final class APIBox: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: FakeRuntimeAPI?
    var api: FakeRuntimeAPI? {
        get { lock.withLock { stored } }
        set { lock.withLock { stored = newValue } }
    }
}
