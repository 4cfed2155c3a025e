import Foundation
import HTTPTypes
import Hummingbird
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// `ticketing function` started as a container entrypoint would be: the subcommand and the environment only.
@Suite struct FunctionCommandTests {
    /// A key both containers sign and check sessions with, as a deployment would share it.
    static let key = "container-mode-test-key-0123456789-abcdefghijklmnopqrstuvwxyz"

    /// Starts `ticketing function` serving `function` on a free port, configured by environment only.
    static func container(
        _ function: String, runner: CommandRunner = CommandRunner(), environment: [String: String] = [:]
    ) throws -> ServerProcess {
        try ServerProcess(
            command: ["function"],
            environment: ["FUNCTION": function, "PORT": "0", "JWT_KEY": key].merging(environment) { $1 },
            runner: runner)
    }

    /// Every HTTP function of the project's functions.yaml: the gateway needs a URL for each.
    static func httpFunctions() throws -> [String] {
        let manifest = try String(
            contentsOf: CommandRunner.root.appendingPathComponent("functions.yaml"), encoding: .utf8)
        return manifest.components(separatedBy: "\n  - name: ").dropFirst().compactMap { block in
            block.contains("\n    http:") ? block.prefix { $0 != "\n" }.trimmingCharacters(in: .whitespaces) : nil
        }
    }

    /// Every subscription and schedule target of the project's functions.yaml: the dispatcher needs a URL for
    /// each.
    static func eventFunctions() throws -> [String] {
        let manifest = try String(
            contentsOf: CommandRunner.root.appendingPathComponent("functions.yaml"), encoding: .utf8)
        return manifest.components(separatedBy: "\n  - name: ").dropFirst().compactMap { block in
            block.contains("\n    http:") ? nil : block.prefix { $0 != "\n" }.trimmingCharacters(in: .whitespaces)
        }
    }

    /// The CloudEvent `orders-on-ticket-created` takes, as the JSON data of a binary-mode request.
    static let ticketData = #"{"id":"t-1","version":0,"title":"Eras Tour","price":149.99,"userId":"u-1"}"#

    static func binaryHeaders(id: String, type: String = "ticket:created") -> [String: String] {
        [
            "content-type": "application/json", "ce-specversion": "1.0", "ce-id": id,
            "ce-source": "/ticketing/tickets", "ce-type": type, "ce-time": "2026-01-01T00:00:00.000Z",
            "ce-dataschema": "https://ticketing.dev/schemas/events/ticket-created.json",
        ]
    }

    /// The help of the container commands says how each HTTP status of a delivery is treated, as
    /// `RemoteFunctions.outcome` and `FunctionServer.response` do (DeferralOverHTTPTests and SinkRoutingTests
    /// check the code itself).
    @Test func theHelpDescribesTheStatusHandlingTheCodeDoes() throws {
        let cli = CommandRunner()
        defer { cli.cleanUp() }
        let dispatcher = try cli.run(["dispatcher", "--help"]).stdout.split(whereSeparator: \.isWhitespace)
            .joined(separator: " ")
        for claim in [
            "2xx is done", "408, 429, any other 5xx or no answer is retried with backoff",
            #"503 with error code "deferred" is retried without using up an attempt"#,
            "any other status is dead-lettered at once",
        ] {
            #expect(dispatcher.contains(claim), "\(claim): \(dispatcher)")
        }
        let function = try cli.run(["function", "--help"]).stdout.split(whereSeparator: \.isWhitespace)
            .joined(separator: " ")
        for claim in ["400: malformed or rejected", "500: failed, retry", #"503 with error code "deferred""#] {
            #expect(function.contains(claim), "\(claim): \(function)")
        }
    }

    @Test func anHTTPFunctionServesOnlyItsRouteAndSessionsCrossContainers() async throws {
        let auth = try Self.container("auth-signup")
        defer { auth.stop() }
        #expect(auth.stdout.contains("function: auth-signup"))
        let signup = try await auth.json(
            "POST", "/api/users/signup", #"{"email":"carol@example.com","password":"secret"}"#)
        #expect(signup.status == 201)
        #expect(signup.object["email"] as? String == "carol@example.com")
        let setCookie = try #require(signup.headers["set-cookie"])
        #expect(setCookie.contains("Secure"))
        // Another function of the same service is not served by this container.
        let signin = try await auth.json(
            "POST", "/api/users/signin", #"{"email":"carol@example.com","password":"secret"}"#)
        #expect(signin.status == 404)
        #expect(signin.object["errors"] as? [[String: String]] == [["message": "Not Found"]])
        let health = try await auth.request("GET", "/health")
        #expect(health.status == 200)
        #expect(health.object["services"] as? [String: String] == ["auth": "ok"])
        let live = try await auth.request("GET", "/health/live")
        #expect(live.status == 200)
        let ready = try await auth.request("GET", "/health/ready")
        #expect(ready.status == 200)
        #expect(ready.object["services"] as? [String: String] == ["auth": "ok"])
        #expect(ready.object["checks"] as? [String: String] == [:])

        // The session cookie's token, as a client would send it to another container.
        let cookieValue = try #require(setCookie.split(separator: ";").first?.split(separator: "=", maxSplits: 1).last)
        let session = try #require(Data(base64Encoded: String(cookieValue)))
        let token = try #require(
            (try JSONSerialization.jsonObject(with: session) as? [String: Any])?["jwt"] as? String)

        let tickets = try Self.container("tickets-create")
        defer { tickets.stop() }
        let created = try await tickets.request(
            "POST", "/api/tickets", body: Data(#"{"title":"Concert","price":19.99}"#.utf8),
            headers: ["content-type": "application/json", "authorization": "Bearer \(token)"])
        #expect(created.status == 201, "\(created.text)")
        #expect(created.object["title"] as? String == "Concert")
        let anonymous = try await tickets.json("POST", "/api/tickets", #"{"title":"Concert","price":19.99}"#)
        #expect(anonymous.status == 401)
        let list = try await tickets.request("GET", "/api/tickets")
        #expect(list.status == 404)

        // A page's container reads the marketplace's settings from the same environment.
        let sellForm = try ServerProcess(
            command: ["function"],
            environment: ["FUNCTION": "web-sell-form", "PORT": "0", "JWT_KEY": Self.key, "PAYMENT_CURRENCY": "chf"])
        defer { sellForm.stop() }
        let form = try await sellForm.request("GET", "/sell", headers: ["authorization": "Bearer \(token)"])
        #expect(form.status == 200, "\(form.text)")
        #expect(form.text.contains("Price (CHF)"))
    }

    @Test func anEventFunctionTakesBinaryModeCloudEvents() async throws {
        let orders = try Self.container("orders-on-ticket-created")
        defer { orders.stop() }
        let body = Data(Self.ticketData.utf8)
        let first = try await orders.request("POST", "/", body: body, headers: Self.binaryHeaders(id: "evt-1"))
        #expect(first.status == 200, "\(first.text)")
        #expect(first.object["status"] as? String == "handled")
        let again = try await orders.request("POST", "/", body: body, headers: Self.binaryHeaders(id: "evt-1"))
        #expect(again.status == 200)
        #expect(again.object["status"] as? String == "duplicate")

        var missingID = Self.binaryHeaders(id: "evt-2")
        missingID["ce-id"] = nil
        let noID = try await orders.request("POST", "/", body: body, headers: missingID)
        #expect(noID.status == 400)
        #expect((noID.object["errors"] as? [[String: Any]])?.first?["message"] as? String == "missing ce-id header")
        let broken = try await orders.request(
            "POST", "/", body: Data("{not json".utf8), headers: Self.binaryHeaders(id: "evt-3"))
        #expect(broken.status == 400)
        let wrongType = try await orders.request(
            "POST", "/", body: body, headers: Self.binaryHeaders(id: "evt-4", type: "ticket:updated"))
        #expect(wrongType.status == 400)
        #expect(wrongType.text.contains("takes 'ticket:created' events"), "\(wrongType.text)")
        let badData = try await orders.request(
            "POST", "/", body: Data(#"{"id":"t-2"}"#.utf8), headers: Self.binaryHeaders(id: "evt-5"))
        #expect(badData.status == 400, "\(badData.text)")
        let notAnEvent = try await orders.json("POST", "/", Self.ticketData)
        #expect(notAnEvent.status == 400)

        let health = try await orders.request("GET", "/health")
        #expect(health.status == 200)
        #expect(health.object["status"] as? String == "ok")
        for probe in ["/health/live", "/health/ready"] {
            #expect(try await orders.request("GET", probe).status == 200, "\(probe)")
        }
        let elsewhere = try await orders.request(
            "POST", "/api/tickets", body: body, headers: Self.binaryHeaders(id: "x"))
        #expect(elsewhere.status == 404)
        #expect(orders.stop() == 0)
    }

    @Test func anEventFunctionTakesStructuredModeCloudEvents() async throws {
        let orders = try Self.container("orders-on-ticket-created")
        defer { orders.stop() }
        let sample = try String(
            contentsOf: CommandRunner.root.appendingPathComponent("events/orders-on-ticket-created.json"),
            encoding: .utf8)
        let headers = ["content-type": "application/cloudevents+json; charset=utf-8"]
        let first = try await orders.request("POST", "/", body: Data(sample.utf8), headers: headers)
        #expect(first.status == 200, "\(first.text)")
        #expect(first.object["status"] as? String == "handled")
        let again = try await orders.request("POST", "/", body: Data(sample.utf8), headers: headers)
        #expect(again.status == 200)
        #expect(again.object["status"] as? String == "duplicate")

        let malformed = try await orders.request(
            "POST", "/", body: Data(#"{"specversion":"1.0""#.utf8), headers: headers)
        #expect(malformed.status == 400)
        #expect((malformed.object["errors"] as? [[String: Any]])?.count == 1)
        let noType = try await orders.request(
            "POST", "/", body: Data(#"{"specversion":"1.0","id":"a","source":"/x"}"#.utf8), headers: headers)
        #expect(noType.status == 400)
        let wrongType = sample.replacingOccurrences(of: #""ticket:created""#, with: #""order:created""#)
            .replacingOccurrences(of: "sample-orders-on-ticket-created", with: "other-id")
        let rejected = try await orders.request("POST", "/", body: Data(wrongType.utf8), headers: headers)
        #expect(rejected.status == 400)
        #expect(rejected.text.contains("order:created"))
    }

    @Test func theDispatcherDeliversAnotherContainersEventsOverHTTP() async throws {
        var runner = CommandRunner()
        runner.environment = ["JWT_KEY": Self.key]
        defer { runner.cleanUp() }
        // Three containers and a dispatcher on one store, as a deployment would share one database.
        let auth = try Self.container("auth-signup", runner: runner)
        defer { auth.stop() }
        let logs = ["LOG_FORMAT": "json", "LOG_LEVEL": "info"]
        let tickets = try Self.container("tickets-create", runner: runner, environment: logs)
        defer { tickets.stop() }
        let orders = try Self.container("orders-on-ticket-created", runner: runner, environment: logs)
        defer { orders.stop() }
        let targets = try runner.run(["validate"]).status == 0
        #expect(targets)
        // Only ticket:created is published here; every other target gets an address nothing listens on.
        let others = [
            "tickets-on-order-created", "tickets-on-order-cancelled", "orders-on-ticket-updated",
            "orders-on-expiration-complete", "orders-on-payment-created", "expiration-on-order-created",
            "expiration-on-order-cancelled", "payments-on-order-created", "payments-on-order-cancelled",
            "expiration-on-payment-expired", "payments-on-expiration-due", "expiration-fire", "payments-refund",
            "payments-reconcile",
        ]
        let urls =
            ["orders-on-ticket-created=\(orders.baseURL.absoluteString)"]
            + others.map { "\($0)=http://127.0.0.1:9/" }
        let dispatcher = try BackgroundCommand(
            ["dispatcher", "--port", "0", "--host", "127.0.0.1"],
            environment: ["FUNCTION_URLS": urls.joined(separator: ","), "JWT_KEY": Self.key],
            runner: runner, ready: "dispatching")
        defer { dispatcher.stop() }
        // Its probes, for an orchestrator: live at once, ready once both delivery loops have run.
        var probes: URL?
        try await eventually("the dispatcher's probes listen") {
            probes = dispatcher.stdout.split(separator: "\n").first { $0.hasPrefix("probes on ") }
                .flatMap { URL(string: String($0.dropFirst("probes on ".count))) }
            return probes != nil
        }
        let ready = try #require(probes)
        let live = try await URLSession.shared.data(
            from: ready.deletingLastPathComponent().appendingPathComponent("live"))
        #expect((live.1 as? HTTPURLResponse)?.statusCode == 200)
        try await eventually("the dispatcher is ready") {
            let (body, response) = try await URLSession.shared.data(from: ready)
            guard (response as? HTTPURLResponse)?.statusCode == 200 else { return false }
            let checks = (try JSONSerialization.jsonObject(with: body) as? [String: Any])?["checks"]
            return checks as? [String: String] == ["delivery": "ok", "timers": "ok"]
        }
        let other = try await URLSession.shared.data(
            from: ready.deletingLastPathComponent().deletingLastPathComponent())
        #expect((other.1 as? HTTPURLResponse)?.statusCode == 404)
        let metrics = try await URLSession.shared.data(
            from: ready.deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("metrics"))
        #expect((metrics.1 as? HTTPURLResponse)?.statusCode == 200)

        let signup = try await auth.json(
            "POST", "/api/users/signup", #"{"email":"dana@example.com","password":"secret"}"#)
        let cookie = try #require(signup.headers["set-cookie"].map { String($0.prefix { $0 != ";" }) })
        let traceID = "0af7651916cd43dd8448eb211c80319c"
        let created = try await tickets.request(
            "POST", "/api/tickets", body: Data(#"{"title":"Opera","price":55}"#.utf8),
            headers: [
                "content-type": "application/json", "cookie": cookie,
                "traceparent": "00-\(traceID)-b7ad6b7169203331-01",
            ])
        #expect(created.status == 201, "\(created.text)")
        let ticket = try #require(created.object["id"] as? String)

        // The orders service learns of the ticket only through the dispatcher's POST to its container.
        let event = try runner.run(["events", "generate", "orders-create", "--body", #"{"ticketId":"\#(ticket)"}"#])
            .stdout
        try await eventually("the ticket reaches the orders container", seconds: 30) {
            try runner.invoke("orders-create", event: event, extra: ["--user", "erin@example.com"]).status == 201
        }
        // The request's trace went with its event through the outbox and the dispatcher: the orders container's
        // line for the delivery names it, as the tickets container's access line does.
        func tracedLines(_ process: ServerProcess) -> [[String: Any]] {
            process.jsonLogLines.filter { $0["trace_id"] as? String == traceID }
        }
        #expect(tracedLines(tickets).contains { $0["function"] as? String == "tickets-create" }, "\(tickets.stderr)")
        #expect(
            tracedLines(orders).contains { $0["function"] as? String == "orders-on-ticket-created" },
            "\(orders.stderr)")
        #expect(dispatcher.stop() == 0)
    }

    @Test func theGatewayRoutesEachRequestToItsFunctionsContainer() async throws {
        var runner = CommandRunner()
        runner.environment = ["JWT_KEY": Self.key]
        defer { runner.cleanUp() }
        let auth = try Self.container("auth-signup", runner: runner)
        defer { auth.stop() }
        let tickets = try Self.container("tickets-create", runner: runner)
        defer { tickets.stop() }
        let missing = try Self.container("web-not-found", runner: runner)
        defer { missing.stop() }
        let served = ["auth-signup", "tickets-create", "web-not-found"]
        let routed = try Self.httpFunctions().filter { !served.contains($0) }
        let urls =
            [
                "auth-signup=\(auth.baseURL.absoluteString)", "tickets-create=\(tickets.baseURL.absoluteString)",
                "web-not-found=\(missing.baseURL.absoluteString)",
            ]
            + routed.map { "\($0)=http://127.0.0.1:9/" }
        let gateway = try ServerProcess(
            command: ["gateway"], environment: ["FUNCTION_URLS": urls.joined(separator: ","), "PORT": "0"],
            runner: runner)
        defer { gateway.stop() }

        let signup = try await gateway.json(
            "POST", "/api/users/signup", #"{"email":"fay@example.com","password":"secret"}"#)
        #expect(signup.status == 201, "\(signup.text)")
        let cookie = try #require(signup.headers["set-cookie"].map { String($0.prefix { $0 != ";" }) })
        let created = try await gateway.json("POST", "/api/tickets", #"{"title":"Ballet","price":31}"#, cookie: cookie)
        #expect(created.status == 201, "\(created.text)")
        #expect(created.object["title"] as? String == "Ballet")
        let invalid = try await gateway.json("POST", "/api/tickets", #"{"title":""}"#, cookie: cookie)
        #expect(invalid.status == 400)
        let down = try await gateway.json("GET", "/api/tickets")
        #expect(down.status == 502)
        #expect(
            (down.object["errors"] as? [[String: Any]])?.first?["message"] as? String
                == "The function tickets-list is unavailable")
        let unknown = try await gateway.json("GET", "/api/nowhere")
        #expect(unknown.status == 404)
        // A browser asking for a page no route matches gets the site's page, from its own container.
        let page = try await gateway.request("GET", "/nowhere", headers: ["accept": "text/html"])
        #expect(page.status == 404)
        #expect(page.headers["content-type"] == "text/html; charset=utf-8")
        #expect(page.text.contains("Page not found"))
        let api = try await gateway.request("GET", "/api/nowhere", headers: ["accept": "text/html"])
        #expect(api.object["errors"] as? [[String: String]] == [["message": "Not Found"]])
        // A malformed escape is forwarded as it came, for the function to judge; the gateway stays up.
        let malformed = try await gateway.json(
            "POST", "/api/tickets?ref=%zz", #"{"title":"Ballet","price":31}"#, cookie: cookie)
        #expect(malformed.status == 201, "\(malformed.text)")
        let stillUp = try await gateway.request("GET", "/health")
        #expect(stillUp.status == 200)
        // Its /metrics counts what it forwarded, by the function routed to (and `-` for no route).
        let metrics = try await gateway.request("GET", "/metrics")
        #expect(metrics.status == 200)
        #expect(
            metrics.text.contains(
                #"ticketing_http_requests_total{function="tickets-create",method="POST",status="201"} 2"#),
            "\(metrics.text)")
        #expect(
            metrics.text.contains(
                #"ticketing_http_requests_total{function="tickets-list",method="GET",status="502"} 1"#))
        #expect(metrics.text.contains(#"ticketing_http_requests_total{function="-",method="GET",status="404"} 2"#))
    }

    @Test func theGatewayPassesRedirectsBackAndKeepsTenRequestsInFlight() async throws {
        let router = Router()
        router.get("/api/tickets") { _, _ -> Response in
            var headers = HTTPFields()
            headers[.location] = "/api/tickets?page=2"
            return Response(status: .found, headers: headers)
        }
        // Each request waits (up to 60 s) until ten are in flight at once: behind a limit of six connections
        // per host, as URLSession has by default, they never would be.
        let inFlight = InFlight()
        router.get("/api/tickets/:id") { _, _ -> String in
            #"{"together":\#(await inFlight.arrive(waitingFor: 10))}"#
        }
        try await LoopbackServer.with(router) { url in
            var runner = CommandRunner()
            defer { runner.cleanUp() }
            runner.environment = ["JWT_KEY": Self.key]
            let urls =
                ["tickets-list=\(url)", "tickets-show=\(url)"]
                + (try Self.httpFunctions()).filter { $0 != "tickets-list" && $0 != "tickets-show" }
                .map { "\($0)=http://127.0.0.1:9/" }
            let gateway = try ServerProcess(
                command: ["gateway"], environment: ["FUNCTION_URLS": urls.joined(separator: ","), "PORT": "0"],
                runner: runner)
            defer { gateway.stop() }
            let redirected = try await gateway.request("GET", "/api/tickets")
            #expect(redirected.status == 302)
            #expect(redirected.headers["location"] == "/api/tickets?page=2")
            let together = try await withThrowingTaskGroup(of: Int.self) { group in
                for index in 0..<10 {
                    group.addTask {
                        try await gateway.request("GET", "/api/tickets/\(index)").object["together"] as? Int ?? 0
                    }
                }
                return try await group.reduce(into: [Int]()) { $0.append($1) }
            }
            #expect(together.max() == 10, "requests in flight at once through the gateway: \(together)")
        }
    }

    @Test func aPageInItsOwnContainerCallsTheAPIAtAPIURL() async throws {
        let api = try ServerProcess(environment: ["JWT_KEY": Self.key])
        defer { api.stop() }
        let alice = try await Shopper.signUp("alice@example.com", on: api)
        _ = try await alice.list("Symphony <No. 9>", price: "45")
        let page = try ServerProcess(
            command: ["function"],
            environment: [
                "FUNCTION": "web-home", "PORT": "0", "JWT_KEY": Self.key, "API_URL": api.baseURL.absoluteString,
            ])
        defer { page.stop() }
        let home = try await page.request("GET", "/")
        #expect(home.status == 200)
        #expect(home.text.contains("Symphony &lt;No. 9&gt;"), "\(home.text)")
        #expect(home.text.contains("$45.00"))
        let searched = try await page.request("GET", "/?title=nothing")
        #expect(searched.text.contains("No tickets match"))
    }

    @Test func aDispatcherWithoutEveryURLRefusesToStart() throws {
        var runner = CommandRunner()
        runner.environment = ["JWT_KEY": Self.key, "FUNCTION_URLS": "orders-on-ticket-created=http://127.0.0.1:9/"]
        defer { runner.cleanUp() }
        let refused = try runner.run(["dispatcher"])
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("no URL for tickets-on-order-created"), "\(refused.stderr)")
        runner.environment["FUNCTION_URLS"] = "orders-on-ticket-created=ftp://x"
        let malformed = try runner.run(["dispatcher"])
        #expect(malformed.stderr.contains("name=http(s)://host:port"), "\(malformed.stderr)")
    }

    @Test func sigtermStopsAContainerCleanly() throws {
        let container = try Self.container("expiration-fire")
        #expect(container.stdout.contains("listening on http://0.0.0.0:"))
        #expect(container.stop() == 0)
    }

    @Test func startUpProblemsAreOneLine() throws {
        var runner = CommandRunner()
        defer { runner.cleanUp() }
        runner.environment = ["PORT": "0", "JWT_KEY": Self.key]
        let unnamed = try runner.run(["function"])
        #expect(unnamed.status != 0)
        #expect(unnamed.stderr.contains("FUNCTION is not set"), "\(unnamed.stderr)")
        runner.environment["FUNCTION"] = "tickets-nope"
        let unknown = try runner.run(["function"])
        #expect(unknown.status != 0)
        #expect(unknown.stderr.contains("unknown function 'tickets-nope'"), "\(unknown.stderr)")
        runner.environment = ["PORT": "0", "FUNCTION": "auth-signup"]
        let keyless = try runner.run(["function"])
        #expect(keyless.status != 0)
        #expect(keyless.stderr.contains("JWT_KEY"), "\(keyless.stderr)")
    }
}

/// Counts requests in flight at a fake function, holding each until `count` are there at once or 5 s pass.
actor InFlight {
    private var current = 0
    private var most = 0
    private var waiting: [CheckedContinuation<Void, Never>] = []

    /// Counts a request in and holds it until `count` are in at once, then returns the most seen together.
    /// A request also goes on after 60 s, so that a connection limit below `count` fails the test instead of
    /// hanging it; on a loaded 2-core machine the tenth request can take several seconds to arrive.
    func arrive(waitingFor count: Int) async -> Int {
        current += 1
        most = max(most, current)
        if most >= count {
            release()
        } else {
            Task {
                try? await Task.sleep(for: .seconds(60))
                self.release()
            }
            await withCheckedContinuation { waiting.append($0) }
        }
        current -= 1
        return most
    }

    private func release() {
        let released = waiting
        waiting = []
        for request in released { request.resume() }
    }
}
