import Foundation
import Testing

/// `ticketing serve` as a separate process on a loopback port, driven over real HTTP.
@Suite struct ServeCommandTests {
    @Test func printsItsRoutesAndAnswersHealth() async throws {
        let server = try ServerProcess()
        defer { server.stop() }
        #expect(server.stdout.contains("POST   /api/tickets"))
        #expect(server.stdout.contains("→ tickets-show"))
        let health = try await server.request("GET", "/health")
        #expect(health.status == 200)
        #expect(health.object["status"] as? String == "ok")
        #expect(health.headers["x-request-id"] != nil)
        #expect(try await server.request("GET", "/health/live").status == 200)
        // Ready once the delivery loops have made their first pass, which they start beside the listener.
        var ready = try await server.request("GET", "/health/ready")
        try await eventually("serve is ready") {
            ready = try await server.request("GET", "/health/ready")
            return ready.status == 200
        }
        #expect(ready.status == 200, "\(ready.text)")
        #expect(ready.object["checks"] as? [String: String] == ["delivery": "ok", "timers": "ok"])
        #expect((ready.object["services"] as? [String: String])?["tickets"] == "ok")
        let openAPI = try await server.request("GET", "/openapi.json")
        #expect(openAPI.status == 200)
        #expect(openAPI.object["openapi"] as? String == "3.1.0")
        #expect((openAPI.object["paths"] as? [String: Any])?["/api/tickets/{id}"] != nil)
    }

    /// `LOG_FORMAT=json`: every line `serve` logs is one JSON object; a request's access line carries its
    /// function and request id as fields.
    @Test func jsonLogsAreOneObjectALine() async throws {
        let server = try ServerProcess(environment: ["LOG_FORMAT": "json", "LOG_LEVEL": "info"])
        defer { server.stop() }
        let list = try await server.request("GET", "/api/tickets")
        #expect(list.status == 200)
        let requestID = try #require(list.headers["x-request-id"])
        var access: [String: Any]?
        try await eventually("the access line is written") {
            let lines = server.stderr.split(separator: "\n").filter { !$0.isEmpty }
            let objects = lines.compactMap {
                (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any]
            }
            #expect(objects.count == lines.count, "not JSON: \(lines)")
            access = objects.first { $0["request"] as? String == requestID }
            return access != nil
        }
        #expect(access?["function"] as? String == "tickets-list")
        #expect(access?["level"] as? String == "info")
        #expect((access?["message"] as? String)?.hasPrefix("GET /api/tickets 200 ") == true, "\(access ?? [:])")
        #expect((access?["time"] as? String)?.hasSuffix("Z") == true)
    }

    /// W3C trace context: a request sent with a `traceparent` leaves its trace id in the JSON log lines of
    /// every invocation of its cascade — the request's access line and the delivery of the event it published —
    /// each with a span id of its own; a request without one starts a trace of its own.
    @Test func aTraceparentFollowsTheCascadeIntoEveryLogLine() async throws {
        let server = try ServerProcess(environment: ["LOG_FORMAT": "json", "LOG_LEVEL": "info"])
        defer { server.stop() }
        let signup = try await server.json(
            "POST", "/api/users/signup", #"{"email":"tess@example.com","password":"secret"}"#)
        let cookie = try #require(signup.headers["set-cookie"].map { String($0.prefix { $0 != ";" }) })
        let traceID = "4bf92f3577b34da6a3ce929d0e0e4736"
        let created = try await server.request(
            "POST", "/api/tickets", body: Data(#"{"title":"Gig","price":9}"#.utf8),
            headers: [
                "content-type": "application/json", "cookie": cookie,
                "traceparent": "00-\(traceID)-00f067aa0ba902b7-01", "tracestate": "vendor=abc",
            ])
        #expect(created.status == 201)
        var traced: [[String: Any]] = []
        try await eventually("the ticket's event is delivered and logged") {
            traced = server.jsonLogLines.filter { $0["trace_id"] as? String == traceID }
            return traced.contains { $0["function"] as? String == "orders-on-ticket-created" }
        }
        let functions = Set(traced.compactMap { $0["function"] as? String })
        #expect(functions == ["tickets-create", "orders-on-ticket-created"], "\(traced)")
        let spans = traced.compactMap { $0["span_id"] as? String }
        #expect(spans.count == traced.count && Set(spans).count == spans.count, "\(traced)")
        #expect(!spans.contains("00f067aa0ba902b7"), "each invocation is a span of its own")
        // The signup sent none: it is in a trace of its own, which no other line shares.
        let all = server.jsonLogLines
        let signupTrace = try #require(all.first { $0["function"] as? String == "auth-signup" }?["trace_id"] as? String)
        #expect(signupTrace != traceID && signupTrace.count == 32)
    }

    /// `GET /metrics`: a request, its invocation and the delivery of the event it published are counted, by
    /// function, in Prometheus's text format.
    @Test func metricsCountRequestsInvocationsAndDeliveries() async throws {
        let server = try ServerProcess()
        defer { server.stop() }
        let signup = try await server.json(
            "POST", "/api/users/signup", #"{"email":"mia@example.com","password":"secret"}"#)
        let cookie = try #require(signup.headers["set-cookie"].map { String($0.prefix { $0 != ";" }) })
        let created = try await server.json("POST", "/api/tickets", #"{"title":"Gig","price":9}"#, cookie: cookie)
        #expect(created.status == 201)
        var text = ""
        try await eventually("the ticket's event is delivered") {
            let metrics = try await server.request("GET", "/metrics")
            #expect(metrics.status == 200)
            #expect(metrics.headers["content-type"]?.hasPrefix("text/plain; version=0.0.4") == true)
            text = metrics.text
            return text.contains(#"ticketing_delivery_lag_seconds_count{function="orders-on-ticket-created"} 1"#)
        }
        #expect(
            text.contains(#"ticketing_http_requests_total{function="tickets-create",method="POST",status="201"} 1"#))
        #expect(text.contains(#"ticketing_invocations_total{function="tickets-create",outcome="handled"} 1"#))
        #expect(text.contains(#"ticketing_invocations_total{function="orders-on-ticket-created",outcome="handled"} 1"#))
        #expect(
            text.contains(#"ticketing_http_request_duration_seconds_count{function="tickets-create",method="POST"} 1"#))
    }

    @Test func signUpListAndEditThroughTheGateway() async throws {
        let server = try ServerProcess()
        defer { server.stop() }
        let signup = try await server.json(
            "POST", "/api/users/signup", #"{"email":"alice@example.com","password":"secret"}"#)
        #expect(signup.status == 201)
        let setCookie = try #require(signup.headers["set-cookie"])
        #expect(setCookie.contains("HttpOnly") && !setCookie.contains("Secure"))
        let cookie = String(setCookie.prefix { $0 != ";" })

        let current = try await server.json("GET", "/api/users/currentuser", cookie: cookie)
        #expect((current.object["currentUser"] as? [String: Any])?["email"] as? String == "alice@example.com")

        let created = try await server.json(
            "POST", "/api/tickets", #"{"title":"Concert","price":19.99}"#, cookie: cookie)
        #expect(created.status == 201)
        #expect(created.text.contains(#""price":19.99"#))
        let id = try #require(created.object["id"] as? String)

        let list = try await server.request("GET", "/api/tickets?title=CONC&limit=10")
        #expect(list.status == 200)
        #expect((list.json as? [[String: Any]])?.compactMap { $0["id"] as? String } == [id])

        // A form's query: `+` is a space (the home page's search sends `title=Eras+Tour`), `%2B` a plus.
        let tour = try await server.json(
            "POST", "/api/tickets", #"{"title":"Eras Tour + Friends","price":5}"#, cookie: cookie)
        let tourID = try #require(tour.object["id"] as? String)
        for query in ["title=Eras+Tour", "title=eras%20tour", "title=Tour+%2B+Fr"] {
            let found = try await server.request("GET", "/api/tickets?\(query)")
            #expect((found.json as? [[String: Any]])?.compactMap { $0["id"] as? String } == [tourID], "\(query)")
        }
        _ = try await server.json("POST", "/api/tickets", #"{"title":"Rock Show","price":5}"#, cookie: cookie)
        let paged = try await server.request("GET", "/api/tickets?title=+&limit=1")
        let link = try #require(paged.headers["link"])
        #expect(link.contains("title=%20&limit=1&cursor="), "\(link)")

        let edited = try await server.json(
            "PUT", "/api/tickets/\(id)", #"{"title":"Opera","price":25}"#, cookie: cookie)
        #expect(edited.status == 200)
        #expect(edited.object["version"] as? Int == 1)
        let anonymous = try await server.json("PUT", "/api/tickets/\(id)", #"{"title":"Mine","price":1}"#)
        #expect(anonymous.status == 401)

        let signout = try await server.json("POST", "/api/users/signout", cookie: cookie)
        #expect(signout.headers["set-cookie"]?.contains("Max-Age=0") == true)
    }

    @Test func unknownRoutesBadBodiesAndLargeBodiesGetTheErrorShape() async throws {
        let server = try ServerProcess(arguments: ["--body-limit", "1024"])
        defer { server.stop() }
        for (method, path) in [("GET", "/nope"), ("DELETE", "/api/tickets/abc"), ("PATCH", "/api/users/signup")] {
            let reply = try await server.request(method, path)
            #expect(reply.status == 404, "\(method) \(path)")
            #expect(reply.object["errors"] as? [[String: String]] == [["message": "Not Found"]])
        }
        let broken = try await server.json("POST", "/api/users/signup", "{not json")
        #expect(broken.status == 400)
        #expect((broken.object["errors"] as? [[String: Any]])?.count == 1)
        let large = try await server.json("POST", "/api/users/signup", String(repeating: "x", count: 4096))
        #expect(large.status == 413)
        #expect(large.object["errors"] != nil)
        let charset = try await server.request(
            "POST", "/api/users/signup", body: Data(#"{"email":"b@c.co","password":"abcd"}"#.utf8),
            headers: ["content-type": "application/json; charset=utf-8"])
        #expect(charset.status == 201)
    }

    @Test func aBrowserGetsTheSitesNotFoundPageAndTheAPIKeepsJSON() async throws {
        let server = try ServerProcess()
        defer { server.stop() }
        let html = ["accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"]
        for path in ["/nope", "/favicon.ico", "/tickets/a/b"] {
            let page = try await server.request("GET", path, headers: html)
            #expect(page.status == 404, "\(path)")
            #expect(page.headers["content-type"] == "text/html; charset=utf-8", "\(path)")
            #expect(page.text.contains("Page not found") && page.text.contains("Skip to content"), "\(path)")
            #expect(page.headers["content-security-policy"]?.contains("script-src 'self'") == true)
        }
        for (path, headers) in [
            ("/nope", [:]), ("/nope", ["accept": "application/json"]), ("/api/nope", html), ("/api", html),
        ] {
            let reply = try await server.request("GET", path, headers: headers)
            #expect(reply.status == 404, "\(path) \(headers)")
            #expect(reply.headers["content-type"]?.hasPrefix("application/json") == true, "\(path) \(headers)")
            #expect(reply.object["errors"] as? [[String: String]] == [["message": "Not Found"]])
        }
        let posted = try await server.request("POST", "/nope", headers: html)
        #expect(posted.status == 404)
        #expect(posted.object["errors"] as? [[String: String]] == [["message": "Not Found"]])
    }

    @Test func sigtermStopsTheServerCleanly() throws {
        let server = try ServerProcess()
        #expect(server.stop() == 0)
    }

    @Test func aBadPortIsRefusedInOneLine() throws {
        var runner = CommandRunner()
        runner.environment["PORT"] = "eighty"
        defer { runner.cleanUp() }
        let result = try runner.run(["serve"])
        #expect(result.status != 0)
        #expect(result.stderr.contains("PORT must be a port number (0-65535), not 'eighty'"), "\(result.stderr)")
    }
}
