import Auth
import Contracts
import Expiration
import FunctionKit
import FunctionTesting
import Orders
import Payments
import Stripe
import Testing
import Tickets
import Web

@testable import Runtime

/// functions.yaml parsing and its validation against the compiled handlers (SPEC §3).
@Suite struct ManifestTests {
    let services = [
        AuthService.definition(), TicketsService.definition(), OrdersService.definition(),
        ExpirationService.definition(), PaymentsService.definition(stripe: MockStripeClient()),
        WebService.definition(settings: WebSettings(api: MarketplaceAPI(), cards: .testCards)),
    ]

    private func problems(_ yaml: String) throws -> [String] {
        FunctionRegistry.problems(
            services: services, manifest: try Manifest.parse(yaml), knownSubjects: Set(Subject.all.map(\.rawValue)))
    }

    private var projectManifest: String {
        get throws { try String(contentsOf: ProjectFiles.manifest, encoding: .utf8) }
    }

    @Test func theProjectManifestMatchesTheHandlers() throws {
        let manifest = try Manifest.load(path: ProjectFiles.manifest.path)
        let registry = try FunctionRegistry(services: services, manifest: manifest)
        #expect(registry.entries.count == 46)
        let match = try #require(registry.route(method: "get", path: "/api/tickets/abc"))
        #expect(match.entry.name == "tickets-show")
        #expect(match.parameters == ["id": "abc"])
        #expect(registry.route(method: "DELETE", path: "/api/tickets/abc") == nil)
    }

    @Test func aDeclaredFunctionWithoutAHandlerIsNamed() throws {
        let yaml =
            try projectManifest
            + "\n  - name: tickets-archive\n    service: tickets\n    http: POST /api/tickets/{id}/archive\n"
        #expect(try problems(yaml) == ["function 'tickets-archive' is declared but has no handler"])
    }

    @Test func aHandlerWithoutADeclarationIsNamed() throws {
        let yaml = try projectManifest.replacingOccurrences(
            of: "  - name: auth-signout\n    service: auth\n    http: POST /api/users/signout\n", with: "")
        #expect(try problems(yaml) == ["handler 'auth-signout' has no declaration in the manifest"])
    }

    @Test func aRouteDeclaredTwiceIsNamed() throws {
        let yaml = try projectManifest.replacingOccurrences(
            of: "http: GET /api/tickets/{id}", with: "http: PUT /api/tickets/{ticketId}")
        #expect(
            try problems(yaml) == [
                "route PUT /api/tickets/{id} of 'tickets-update' is already declared by 'tickets-show'"
            ])
    }

    @Test func aTriggerOfTheWrongKindIsNamed() throws {
        let yaml = try projectManifest.replacingOccurrences(
            of: "http: GET /api/tickets/{id}", with: "subscribe: ticket:created")
        #expect(try problems(yaml) == ["function 'tickets-show' is declared as subscription but its handler is http"])
    }

    @Test func aSubscriptionToASubjectWithoutSchemaIsNamed() throws {
        let yaml = try projectManifest.replacingOccurrences(
            of: "http: GET /api/tickets/{id}", with: "subscribe: ticket:exploded")
        #expect(
            try problems(yaml).contains("function 'tickets-show' subscribes to 'ticket:exploded', which has no schema"))
    }

    @Test func theWrongServiceIsNamed() throws {
        let yaml = try projectManifest.replacingOccurrences(
            of: "  - name: tickets-show\n    service: tickets", with: "  - name: tickets-show\n    service: auth")
        let found = try problems(yaml)
        #expect(
            found.contains("function 'tickets-show' is declared in service 'auth' but its handler belongs to 'tickets'")
        )
    }

    @Test(arguments: [
        ("functions: [{name: a-b, service: a}]", "exactly one trigger"),
        ("functions: [{name: a-b, service: a, http: GET /x, schedule: true}]", "exactly one trigger"),
        ("functions: [{name: a-b, service: a, http: FETCH /x}]", "unknown method"),
        ("functions: [{name: a-b, service: a, http: GET x}]", "must start with '/'"),
        ("functions: [{name: a-b, service: a, http: 'GET /x/{a}/{a}'}]", "repeated parameter"),
        ("functions: [{service: a, http: GET /x}]", "has no name"),
        ("functions: [{name: a-b, service: a, schedule: true, timeout: -1}]", "timeout"),
        ("functions: [{name: a-b, service: a, schedule: true, timeout: .inf}]", "at most 900"),
        ("functions: [{name: a-b, service: a, schedule: true, timeout: .nan}]", "timeout"),
        ("settings: {timeout: 1e9}\nfunctions: [{name: a-b, service: a, schedule: true}]", "settings: timeout"),
        ("functions: []", "declares no functions"),
        ("functions: {a: 1}", "not a valid manifest"),
        (
            "functions: [{name: a-b, service: a, schedule: true, timeout: '30'}]",
            "functions[0].timeout: expected Double"
        ),
        ("functions: [{name: a-b, service: a, schedule: maybe}]", "functions[0].schedule: expected Bool"),
        ("functions: [{name: [a], service: a, schedule: true}]", "functions[0].name: expected String"),
        (
            "settings: {retries: 1.5}\nfunctions: [{name: a-b, service: a, schedule: true}]",
            "settings.retries: expected Int"
        ),
        (
            "settings: {notFound: {except: [/api/]}}\nfunctions: [{name: a-b, service: a, schedule: true}]",
            "settings.notFound.function"
        ),
        ("[1, 2]", "the top level: expected a mapping"),
        ("", "declares no functions"),
        ("functions: [", "not valid YAML"),
    ])
    func malformedManifestsAreRefusedClearly(yaml: String, fragment: String) {
        do {
            _ = try Manifest.parse(yaml)
            Issue.record("accepted: \(yaml)")
        } catch {
            #expect("\(error)".contains(fragment), "\(error)")
        }
    }

    @Test func everyFieldIsReadWithItsType() throws {
        let manifest = try Manifest.parse(
            """
            settings:
              timeout: 12.5
              retries: 3
              notFound: {function: web-not-found, except: [/api/, /health]}
              unknown: ignored
            functions:
              - {name: a-one, service: a, http: "GET /a/{id}", timeout: 5, retries: ~}
              - {name: a-two, service: a, subscribe: "ticket:created", retries: 0}
              - {name: a-three, service: a, schedule: yes, timeout: 7}
            """)
        #expect(manifest.settings.timeout == 12.5)
        #expect(manifest.settings.retries == 3)
        #expect(manifest.settings.notFound == .init(function: "web-not-found", except: ["/api/", "/health"]))
        #expect(manifest.functions.count == 3)
        #expect(manifest.functions[0].trigger.route?.routeKey == "GET /a/{id}")
        #expect(manifest.functions[0].timeout == 5)
        #expect(manifest.functions[0].retries == nil)
        #expect(manifest.functions[1].trigger == .subscription("ticket:created"))
        #expect(manifest.functions[1].retries == 0)
        #expect(manifest.functions[2].trigger == .schedule)
        #expect(manifest.functions[2].timeout == 7)
        #expect(throws: ManifestError.self) {
            try Manifest.parse("functions:\n  - {name: 123, service: null, schedule: true}")
        }
    }

    @Test func theRegistryRefusesToBuildOnAnyProblem() throws {
        let yaml = try projectManifest + "\n  - name: tickets-archive\n    service: tickets\n    schedule: true\n"
        #expect(throws: ManifestError.self) {
            try FunctionRegistry(services: services, manifest: try Manifest.parse(yaml))
        }
    }

    @Test func routesMatchAndFillTemplates() throws {
        let route = try Route(parsing: "GET /api/tickets/{id}")
        #expect(route.match(path: "/api/tickets/a%20b") == ["id": "a b"])
        #expect(route.match(path: "/api/tickets") == nil)
        #expect(route.match(path: "/api/tickets/a/b") == nil)
        #expect(route.path(filling: ["id": "x y"]) == "/api/tickets/x%20y")
    }

    @Test(
        arguments: [
            ("/api/tickets/t1", ["api", "tickets", "t1"]), ("//api//tickets/", ["api", "tickets"]), ("/", []), ("", []),
            ("/é/ü%2Fx", ["é", "ü%2Fx"]), ("api", ["api"]),
        ] as [(String, [Substring])])
    func aPathSplitsIntoItsNonEmptySegments(path: String, pieces: [Substring]) {
        #expect(Route.pieces(of: path) == pieces)
    }
}
