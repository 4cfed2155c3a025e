import Foundation
import Testing

/// `ticketing invoke` and `ticketing events generate`, driven as separate processes.
@Suite struct InvokeCommandTests {
    @Test func signUpCreateAndShowAcrossInvocations() throws {
        let cli = CommandRunner()
        defer { cli.cleanUp() }
        let signupEvent = try cli.run([
            "events", "generate", "auth-signup", "--body", #"{"email":"alice@example.com","password":"secret"}"#,
        ])
        #expect(signupEvent.status == 0, "\(signupEvent.stderr)")
        let signup = try cli.invoke("auth-signup", event: signupEvent.stdout)
        #expect(signup.status == 201)
        let userID = try #require((signup.body as? [String: Any])?["id"] as? String)

        let createEvent = try cli.run([
            "events", "generate", "tickets-create", "--user", "alice@example.com", "--body",
            #"{"title":"Concert","price":19.99}"#,
        ])
        let create = try cli.invoke("tickets-create", event: createEvent.stdout)
        #expect(create.status == 201)
        let ticket = try #require(create.body as? [String: Any])
        #expect(ticket["userId"] as? String == userID, "--user signs in as the stored account")
        #expect(create.result.stderr.contains("published ticket:created"))
        let ticketID = try #require(ticket["id"] as? String)

        let showEvent = try cli.run(["events", "generate", "tickets-show", "--path", "id=\(ticketID)"])
        let show = try cli.invoke("tickets-show", event: showEvent.stdout)
        #expect(show.status == 200)
        #expect((show.body as? [String: Any])?["title"] as? String == "Concert")
        #expect((show.result.object["body"] as? String)?.contains(#""price":19.99"#) == true, "prices print exactly")
    }

    @Test func outputJSONPutsResultAndEffectsInOneObject() throws {
        let cli = CommandRunner()
        defer { cli.cleanUp() }
        let event = try cli.run(["events", "generate", "tickets-create", "--body", #"{"title":"A","price":5}"#]).stdout
        let result = try cli.run(
            ["invoke", "tickets-create", "--event", "-", "--user", "bob@example.com", "--output", "json"], stdin: event)
        #expect(result.status == 0)
        let object = result.object
        #expect((object["response"] as? [String: Any])?["statusCode"] as? Int == 201)
        let published = try #require(object["published"] as? [[String: Any]])
        #expect(published.count == 1)
        #expect(published.first?["type"] as? String == "ticket:created")
        #expect(published.first?["specversion"] as? String == "1.0")
        #expect(result.stderr.isEmpty)
    }

    @Test func followPrintsTheCascadeAndAdvanceFiresTheExpiry() throws {
        let cli = CommandRunner()
        defer { cli.cleanUp() }
        // The request comes with a W3C traceparent: the cascade continues its trace, and says which.
        let generated = try cli.run(["events", "generate", "tickets-create", "--body", #"{"title":"A","price":5}"#])
        var request = try #require(generated.json as? [String: Any])
        var headers = request["headers"] as? [String: Any] ?? [:]
        headers["traceparent"] = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
        request["headers"] = headers
        let listing = try cli.run(
            ["invoke", "tickets-create", "--event", "-", "--user", "alice@example.com", "--follow"],
            stdin: String(decoding: try JSONSerialization.data(withJSONObject: request), as: UTF8.self))
        #expect(listing.status == 0, "\(listing.stderr)")
        #expect(
            listing.stderr.hasPrefix(
                "trace 4bf92f3577b34da6a3ce929d0e0e4736\ntickets-create: 201\n└─ published ticket:created"),
            "\(listing.stderr)")
        #expect(listing.stderr.contains("→ orders-on-ticket-created: handled"), "\(listing.stderr)")
        let ticketID = try #require(
            (listing.object["body"] as? String).flatMap {
                try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
            }?["id"] as? String)

        let order = try cli.run([
            "events", "generate", "orders-create", "--body", #"{"ticketId":"\#(ticketID)"}"#,
        ]).stdout
        let result = try cli.run(
            [
                "invoke", "orders-create", "--event", "-", "--user", "bob@example.com", "--advance", "15m",
                "--output", "json",
            ],
            stdin: order)
        #expect(result.status == 0, "\(result.stderr)")
        let cascade = try #require(result.object["cascade"] as? [String: Any])
        let published = try #require(cascade["published"] as? [[String: Any]])
        #expect(published.first?["type"] as? String == "order:created")
        let consumers = Set(
            (published.first?["deliveries"] as? [[String: Any]] ?? []).compactMap { $0["function"] as? String })
        #expect(consumers.isSuperset(of: ["tickets-on-order-created", "expiration-on-order-created"]))
        // The expiry fired within the advanced 15 minutes and cancelled the order.
        let text = String(decoding: try JSONSerialization.data(withJSONObject: cascade), as: UTF8.self)
        #expect(text.contains("expiration-fire"))
        #expect(text.contains("order:cancelled"))
        // Every event of the cascade, down to what the expiry's timer published, continues the order's trace.
        let traceID = try #require(result.object["traceId"] as? String)
        func traceparents(_ value: Any) -> [String] {
            if let object = value as? [String: Any] {
                let own = (object["traceparent"] as? String).map { [$0] } ?? []
                return own + object.values.flatMap(traceparents)
            }
            return (value as? [Any])?.flatMap(traceparents) ?? []
        }
        let carried = traceparents(cascade)
        #expect(carried.count >= 2 && carried.allSatisfy { $0.contains("-\(traceID)-") }, "\(traceID): \(carried)")

        let early = try cli.run(
            ["invoke", "orders-create", "--event", "-", "--user", "carol@example.com", "--advance", "14m"],
            stdin: order)
        #expect(early.stderr.contains("scheduled expiration-fire"), "\(early.stderr)")
        #expect(!early.stderr.contains("order:cancelled"), "\(early.stderr)")
    }

    @Test func aRejectedEventMakesInvokeExitNonZero() throws {
        let cli = CommandRunner()
        defer { cli.cleanUp() }
        let result = try cli.run(
            ["invoke", "orders-on-ticket-created", "--event", "-"], stdin: #"{"id":5,"title":"x"}"#)
        #expect(result.status != 0)
        #expect(result.stderr.contains("rejected by orders-on-ticket-created"), "\(result.stderr)")
    }

    @Test func aFunctionThatAnswersAnErrorStillExitsZero() throws {
        let cli = CommandRunner()
        defer { cli.cleanUp() }
        let event = try cli.run(["events", "generate", "tickets-create", "--body", "{}"]).stdout
        let result = try cli.invoke("tickets-create", event: event)
        #expect(result.result.status == 0)
        #expect(result.status == 401)
    }

    @Test func everySampleEventIsAcceptedByInvoke() throws {
        let cli = CommandRunner()
        defer { cli.cleanUp() }
        let samples = try FileManager.default.contentsOfDirectory(
            atPath: CommandRunner.root.appendingPathComponent("events").path
        )
        .filter { $0.hasSuffix(".json") }.sorted()
        #expect(samples.count >= 8)
        for sample in samples {
            let function = String(sample.prefix { $0 != "." })
            let text = try String(
                contentsOf: CommandRunner.root.appendingPathComponent("events/\(sample)"), encoding: .utf8)
            let isHTTP = text.contains(#""routeKey""#)
            // Without --event, invoke runs the function's sample.
            let result = try cli.run(["invoke", function] + (isHTTP ? ["--user", "alice@example.com"] : []))
            #expect(result.status == 0, "\(sample): \(result.stderr)")
            // HTTP functions print their v2 response; event functions their outcome.
            #expect(result.object["statusCode"] is Int || result.object["status"] is String, "\(sample)")
        }
    }

    /// Every function's `events generate` prints an event with no options (path parameters from its sample),
    /// and `invoke` takes that event as it is.
    @Test func everyFunctionGeneratesAnEventItsInvokeTakes() throws {
        let cli = CommandRunner()
        defer { cli.cleanUp() }
        let manifest = try String(
            contentsOf: CommandRunner.root.appendingPathComponent("functions.yaml"), encoding: .utf8)
        let functions = manifest.split(separator: "\n").compactMap { line -> String? in
            let text = line.trimmingCharacters(in: .whitespaces)
            return text.hasPrefix("- name: ") ? String(text.dropFirst("- name: ".count)) : nil
        }
        #expect(functions.count >= 20)
        for function in functions {
            let generated = try cli.run(["events", "generate", function])
            #expect(generated.status == 0, "\(function): \(generated.stderr)")
            let invoked = try cli.run(["invoke", function, "--event", "-"], stdin: generated.stdout)
            #expect(invoked.status == 0, "\(function): \(invoked.stderr)")
        }
        let show = try cli.run(["events", "generate", "tickets-show"])
        #expect((show.object["pathParameters"] as? [String: String])?["id"] == "8f14e45f-ceea-467f-a8f5-6a4f1f6ad0c1")
        #expect(show.object["rawPath"] as? String == "/api/tickets/8f14e45f-ceea-467f-a8f5-6a4f1f6ad0c1")
        let given = try cli.run(["events", "generate", "tickets-show", "--path", "id=abc"])
        #expect(given.object["rawPath"] as? String == "/api/tickets/abc")
    }

    @Test(arguments: [
        (
            "LOG_LEVEL", "verbose",
            "LOG_LEVEL must be one of trace, debug, info, notice, warning, error, critical (or warn), not 'verbose'"
        ),
        ("LOG_FORMAT", "yaml", "LOG_FORMAT must be text or json, not 'yaml'"),
        (
            "AWS_LAMBDA_LOG_LEVEL", "LOUD",
            "AWS_LAMBDA_LOG_LEVEL must be one of TRACE, DEBUG, INFO, WARN, ERROR, FATAL, not 'LOUD'"
        ),
    ])
    func aMalformedSettingIsRefusedInOneLine(name: String, value: String, message: String) throws {
        var cli = CommandRunner()
        cli.environment[name] = value
        defer { cli.cleanUp() }
        for arguments in [["invoke", "tickets-list"], ["serve", "--port", "0"]] {
            let result = try cli.run(arguments)
            #expect(result.status != 0, "\(arguments)")
            #expect(result.stderr.contains(message), "\(arguments): \(result.stderr)")
            #expect(result.stderr.split(separator: "\n").count == 1, "\(result.stderr)")
        }
    }

    @Test func warnIsAcceptedForWarning() throws {
        var cli = CommandRunner()
        cli.environment["LOG_LEVEL"] = "WARN"
        defer { cli.cleanUp() }
        #expect(try cli.run(["invoke", "tickets-list"]).status == 0)
    }

    @Test(arguments: [
        (["invoke", "tickets-explode", "--event", "events/tickets-show.json"], "unknown function 'tickets-explode'"),
        (["invoke", "tickets-show", "--event", "/nonexistent/event.json"], "cannot read event file"),
        (["invoke", "tickets-show", "--event", "Sources"], "cannot read event file"),
        (["invoke", "tickets-show", "--event", "functions.yaml"], "is not valid JSON"),
        (["invoke", "tickets-show", "--event", "-"], "is not valid JSON"),
        (["events", "generate", "tickets-show", "--path", "id"], "--path takes name=value, not 'id'"),
        (["invoke", "nope-nope"], "unknown function 'nope-nope'"),
        (
            ["invoke", "orders-on-ticket-created", "--user", "alice@example.com"],
            "--user signs an HTTP event in, and orders-on-ticket-created is an event function"
        ),
        (
            ["events", "generate", "expiration-fire", "--user", "alice@example.com"],
            "--user signs an HTTP event in, and expiration-fire is an event function"
        ),
        (["serve", "--port", "70000"], "--port must be a port number (0-65535), not '70000'"),
        (["function", "tickets-list", "--port", "65536"], "--port must be a port number (0-65535), not '65536'"),
        (["events", "generate", "nope-nope"], "unknown function"),
    ])
    func badInputGivesOneClearLineAndANonZeroExit(arguments: [String], message: String) throws {
        let cli = CommandRunner()
        defer { cli.cleanUp() }
        let result = try cli.run(arguments, stdin: "{not json")
        #expect(result.status != 0)
        #expect(result.stderr.contains(message), "\(result.stderr)")
        #expect(result.stderr.split(separator: "\n").count == 1, "\(result.stderr)")
        #expect(result.stdout.isEmpty)
    }

    @Test func anEventOfTheWrongShapeIsNamed() throws {
        let cli = CommandRunner()
        defer { cli.cleanUp() }
        let result = try cli.run(["invoke", "tickets-show", "--event", "-"], stdin: #"{"rawPath":"/api/tickets/x"}"#)
        #expect(result.status != 0)
        #expect(
            result.stderr.contains("not an API Gateway v2 HTTP event: requestContext: required field is missing"),
            "\(result.stderr)")
    }

    @Test func aShortJWTKeyIsRefusedAtStartUp() throws {
        var cli = CommandRunner()
        cli.environment["JWT_KEY"] = "too-short"
        defer { cli.cleanUp() }
        let result = try cli.run(["invoke", "auth-currentuser", "--event", "events/auth-currentuser.json"])
        #expect(result.status != 0)
        #expect(result.stderr.contains("JWT_KEY must be at least 32 bytes long (it has 9)"), "\(result.stderr)")
    }

    @Test func aJWTKeyFromTheEnvironmentSignsSessions() throws {
        var cli = CommandRunner()
        cli.environment["JWT_KEY"] = String(repeating: "z", count: 40)
        defer { cli.cleanUp() }
        let event = try cli.run(["events", "generate", "auth-currentuser", "--user", "carol@example.com"]).stdout
        let result = try cli.invoke("auth-currentuser", event: event)
        let user = (result.body as? [String: Any])?["currentUser"] as? [String: Any]
        #expect(user?["email"] as? String == "carol@example.com")
        #expect(!FileManager.default.fileExists(atPath: cli.dataDirectory.appendingPathComponent("jwt-key").path))
    }
}
