import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import Testing

/// `ticketing dispatcher` with `K_SINK`: every event and due timer goes once to one sink (a Knative Broker in
/// a real deployment; here a server run by the test that records what it takes).
@Suite struct SinkTests {
    static let key = FunctionCommandTests.key

    @Test func everyEventAndDueTimerGoesToTheSinkOnceInCommitOrder() async throws {
        try await FakeSink.with(refusingFirst: 1, of: "ticket:created") { sink in
            var runner = CommandRunner()
            runner.environment = ["JWT_KEY": Self.key, "EXPIRATION_WINDOW_SECONDS": "1"]
            defer { runner.cleanUp() }
            let auth = try FunctionCommandTests.container("auth-signup", runner: runner)
            defer { auth.stop() }
            let tickets = try FunctionCommandTests.container("tickets-create", runner: runner)
            defer { tickets.stop() }
            let dispatcher = try BackgroundCommand(
                ["dispatcher"], environment: ["K_SINK": sink.url, "JWT_KEY": Self.key], runner: runner,
                ready: "dispatching")
            defer { dispatcher.stop() }
            #expect(dispatcher.stdout.contains("every event and timer → \(sink.url)"), "\(dispatcher.stdout)")

            let signup = try await auth.json(
                "POST", "/api/users/signup", #"{"email":"gus@example.com","password":"secret"}"#)
            let cookie = try #require(signup.headers["set-cookie"].map { String($0.prefix { $0 != ";" }) })
            var created: [String] = []
            for title in ["Opera", "Ballet", "Circus"] {
                let reply = try await tickets.request(
                    "POST", "/api/tickets", body: Data(#"{"title":"\#(title)","price":20}"#.utf8),
                    headers: ["content-type": "application/json", "cookie": cookie])
                #expect(reply.status == 201, "\(reply.text)")
                created.append(try #require(reply.object["id"] as? String))
            }
            // A timer set by a function in another process: the sink gets it as schedule:expiration-fire.
            let order = try runner.run(["events", "generate", "expiration-on-order-created"]).stdout
            #expect(
                try runner.run(["invoke", "expiration-on-order-created", "--event", "-"], stdin: order).status == 0)

            try await eventually("the sink takes three tickets and the timer", seconds: 30) {
                let taken = await sink.accepted
                return taken.filter { $0.type == "ticket:created" }.count == 3
                    && taken.contains { $0.type == "schedule:expiration-fire" }
            }
            let accepted = await sink.accepted
            let ticketEvents = accepted.filter { $0.type == "ticket:created" }
            // In commit order, each once, with the publisher as source; the refused first one came again.
            #expect(ticketEvents.map(\.dataID) == created)
            #expect(Set(ticketEvents.map(\.id)).count == 3)
            #expect(ticketEvents.allSatisfy { $0.source == "/ticketing/tickets" })
            let refused = await sink.refused
            #expect(refused.count == 1)
            #expect(refused.first?.id == ticketEvents.first?.id)
            let timer = try #require(accepted.first { $0.type == "schedule:expiration-fire" })
            #expect(timer.source == "/ticketing/scheduler")
            try await Task.sleep(for: .seconds(1))
            #expect(await sink.accepted.count == accepted.count, "nothing is sent twice once taken")
            #expect(dispatcher.stop() == 0)
        }
    }

    @Test func aMalformedSinkStopsStartUpWithOneLine() throws {
        var runner = CommandRunner()
        runner.environment = ["JWT_KEY": Self.key, "K_SINK": "broker.local"]
        defer { runner.cleanUp() }
        let refused = try runner.run(["dispatcher"])
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("K_SINK must be an http(s)://host:port URL"), "\(refused.stderr)")
    }
}

/// A CloudEvents sink on a free loopback port that takes binary-mode events, refusing the first few of one
/// type with 503.
actor FakeSink {
    struct Event: Sendable {
        var id: String
        var type: String
        var source: String
        /// The `id` field of the event's data, if any.
        var dataID: String?
    }

    private(set) var accepted: [Event] = []
    private(set) var refused: [Event] = []
    private var refusals: Int
    private let refusedType: String
    nonisolated let url: String

    init(url: String, refusals: Int, of type: String) {
        self.url = url
        self.refusals = refusals
        refusedType = type
    }

    func take(_ event: Event) -> Bool {
        if refusals > 0 && event.type == refusedType {
            refusals -= 1
            refused.append(event)
            return false
        }
        accepted.append(event)
        return true
    }

    private final class Box: @unchecked Sendable {
        var sink: FakeSink?
    }

    /// Runs `body` with a sink listening on a free port that answers 503 to the first `refusingFirst` events
    /// of `type`.
    static func with(refusingFirst: Int, of type: String, _ body: (FakeSink) async throws -> Void) async throws {
        let box = Box()
        let router = Router()
        router.post("/") { request, _ -> HTTPResponse.Status in
            let body = try await request.body.collect(upTo: 1 << 20)
            let field = { (name: String) in HTTPField.Name(name).flatMap { request.headers[$0] } ?? "" }
            let data = try? JSONSerialization.jsonObject(with: Data(buffer: body)) as? [String: Any]
            let event = Event(
                id: field("ce-id"), type: field("ce-type"), source: field("ce-source"), dataID: data?["id"] as? String)
            guard let sink = box.sink else { return .serviceUnavailable }
            return await sink.take(event) ? .accepted : .serviceUnavailable
        }
        try await LoopbackServer.with(router) { url in
            let sink = FakeSink(url: url, refusals: refusingFirst, of: type)
            box.sink = sink
            try await body(sink)
        }
    }
}
