import Foundation
import FunctionKit
import Logging
import Runtime

/// Runs functions in-process for tests: a fresh SQLite data directory, a ``TestClock`` and the real
/// invoker, with no server, no network and no sleeping.
public struct TestHarness: Sendable {
    /// The key test sessions are signed with.
    public static let sessionKey = "test-session-key-0123456789abcdef0123456789"

    /// The clock handlers see; move it with `advance(by:)`.
    public let clock: TestClock
    /// The invoker running the functions.
    public let invoker: Invoker
    /// The data directory (removed by ``shutdown()``).
    public let directory: URL
    /// The engine holding the services' databases.
    public let storage: any StorageEngine
    /// The project's schemas: every response and published event is checked against them.
    public let contracts: ContractCatalog
    /// Delivers published events and fires timers when the test asks (``settle()``, ``advance(by:)``).
    public let cascade: Cascade

    /// Creates a harness for `services`, declared by the project's functions.yaml (only their functions
    /// are kept), or by `manifest` text when given. Passing the `directory` and `clock` of an earlier
    /// harness (closed with ``close()``) restarts on its data, as a runtime restarts after a crash. `wrapping`
    /// stands between the functions and the storage (the simulation's fault injection).
    ///
    /// Handlers' time limits run on `clock` too, so a test sees a time-out by moving it past the limit; with
    /// `realTimeLimits` they run on real time instead, for a caller that moves the clock while handlers run.
    public static func make(
        services: [ServiceDefinition], manifest: String? = nil, directory: URL? = nil, clock: TestClock = TestClock(),
        realTimeLimits: Bool = false, wrapping: @Sendable (any StorageEngine) -> any StorageEngine = { $0 }
    ) async throws -> TestHarness {
        let directory =
            directory
            ?? FileManager.default.temporaryDirectory.appendingPathComponent("ticketing-test-\(UUID().uuidString)")
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let storage = wrapping(try await TestStorage.engine(directory: directory, logger: logger))
        var loaded = try manifest.map { try Manifest.parse($0) } ?? Manifest.load(path: ProjectFiles.manifest.path)
        let names = Set(services.flatMap { $0.functions.map(\.name) })
        loaded.functions = loaded.functions.filter { names.contains($0.name) }
        if let page = loaded.settings.notFound, !names.contains(page.function) { loaded.settings.notFound = nil }
        let contracts = try ContractCatalog.load(directory: ProjectFiles.schemas)
        let registry = try FunctionRegistry(services: services, manifest: loaded, knownSubjects: contracts.subjects)
        let sessions = try await SessionCodec(key: sessionKey, secureCookies: false)
        let invoker = Invoker(
            registry: registry, storage: storage, sessions: sessions, clock: clock,
            deadlineClock: realTimeLimits ? SystemClock() : clock, logger: logger, contracts: contracts)
        return TestHarness(
            clock: clock, invoker: invoker, directory: directory, storage: storage, contracts: contracts,
            cascade: Cascade(invoker: invoker))
    }

    /// Runs `body` with a fresh harness, shutting it down afterwards whether or not `body` threw.
    public static func with<T: Sendable>(
        services: [ServiceDefinition], manifest: String? = nil, realTimeLimits: Bool = false,
        _ body: (TestHarness) async throws -> T
    ) async throws -> T {
        let harness = try await make(services: services, manifest: manifest, realTimeLimits: realTimeLimits)
        do {
            let value = try await body(harness)
            await harness.shutdown()
            return value
        } catch {
            await harness.shutdown()
            throw error
        }
    }

    /// Closes the databases, keeping the data directory for a restart.
    public func close() async {
        await storage.shutdown()
    }

    /// Closes the databases and removes the data directory (or the PostgreSQL test database).
    public func shutdown() async {
        await storage.shutdown()
        await TestStorage.remove(directory: directory)
        try? FileManager.default.removeItem(at: directory)
    }

    /// A bearer token for a user.
    public func token(userID: String, email: String) async throws -> String {
        try await invoker.sessions.issue(userID: userID, email: email, now: clock.now).token
    }

    /// Invokes HTTP function `function` with a JSON body given as text (sent as is, so tests can send
    /// broken JSON), signed in with `token` when given.
    public func http(
        _ function: String, path: String? = nil, body: String? = nil, token: String? = nil,
        pathParameters: [String: String] = [:], query: [String: String] = [:], headers: [String: String] = [:]
    ) async throws -> TestResponse {
        guard let entry = invoker.registry.entry(named: function), case .http(let route) = entry.declaration.trigger
        else {
            throw InvocationError.unknownFunction(function, known: invoker.registry.entries.map(\.name))
        }
        var allHeaders = headers
        if body != nil, allHeaders["content-type"] == nil { allHeaders["content-type"] = "application/json" }
        if let token { allHeaders["authorization"] = "Bearer \(token)" }
        let request = HTTPRequest(
            method: route.method, path: path ?? route.path(filling: pathParameters), routeKey: route.routeKey,
            rawQueryString: QueryString.encode(query),
            headers: allHeaders,
            queryStringParameters: query, pathParameters: pathParameters, body: body)
        return try await send(function, request)
    }

    /// Invokes HTTP function `function` with `body` encoded as JSON.
    public func http(
        _ function: String, json body: JSONValue, token: String? = nil, pathParameters: [String: String] = [:]
    ) async throws -> TestResponse {
        try await http(function, body: try JSONCoding.string(body), token: token, pathParameters: pathParameters)
    }

    /// A page's contract: a redirect names where to, anything else is HTML.
    static func violations(ofPage response: HTTPResponse) -> [SchemaViolation] {
        let headers = Dictionary(
            response.headers.map { ($0.key.lowercased(), $0.value) }, uniquingKeysWith: { first, _ in first })
        if (300..<400).contains(response.statusCode) {
            return headers["location"] == nil
                ? [SchemaViolation(instancePath: "", schemaPath: "", message: "a redirect has no location")] : []
        }
        let type = headers["content-type"] ?? ""
        return type.hasPrefix("text/html") || type.hasPrefix("text/css") || type.hasPrefix("text/javascript")
            ? [] : [SchemaViolation(instancePath: "", schemaPath: "", message: "a page answered '\(type)'")]
    }

    /// Invokes HTTP function `function` with a prepared request. Throws ``ContractViolation`` when the
    /// response or an event it published breaks its schema.
    public func send(_ function: String, _ request: HTTPRequest) async throws -> TestResponse {
        let result = try await invoker.invoke(http: function, request: request)
        let html = invoker.registry.entry(named: function)?.handler.answersHTML ?? false
        let violations =
            html
            ? Self.violations(ofPage: result.response)
            : try contracts.violations(of: result.response, function: function)
        guard violations.isEmpty else {
            throw ContractViolation(
                function: function, payload: "response \(result.response.statusCode) \(result.response.body)",
                violations: violations)
        }
        try checkPublished(result.effects, by: function)
        return TestResponse(response: result.response, effects: result.effects)
    }

    /// Delivers `event` to event function `function` — a subscription, or a schedule target as its timer
    /// would fire it — checking the event and what it publishes against their schemas.
    public func deliver(_ function: String, _ event: CloudEvent) async throws -> EventInvocation {
        let scheduled =
            if case .schedule = invoker.registry.entry(named: function)?.declaration.trigger { true } else { false }
        let incoming =
            try scheduled
            ? contracts.violations(ofScheduled: event, function: function) : contracts.violations(of: event)
        guard incoming.isEmpty else {
            throw ContractViolation(
                function: function, payload: "incoming \(event.type) \(event.id)", violations: incoming)
        }
        let result = try await invoker.invoke(event: function, event: event)
        try checkPublished(result.effects, by: function)
        return result
    }

    /// Delivers everything published so far, and what that publishes in turn, and fires the timers due
    /// now; returns the deliveries made. Every event published on the way is checked against its schema.
    @discardableResult
    public func settle() async throws -> [Delivery] {
        try checked(try await cascade.settle().deliveries)
    }

    /// Moves the clock forward by `interval` seconds, firing timers and retries as they fall due and
    /// delivering what they cause; returns the deliveries made.
    @discardableResult
    public func advance(by interval: TimeInterval) async throws -> [Delivery] {
        try checked(try await cascade.advance(clock, to: clock.now.addingTimeInterval(interval)).deliveries)
    }

    /// The dead-letter list.
    public func deadLetters() async throws -> [DeadLetter] {
        try await DeadLetters.open(storage).list()
    }

    private func checked(_ deliveries: [Delivery]) throws -> [Delivery] {
        for delivery in deliveries { try checkPublished(delivery.effects, by: delivery.consumer) }
        return deliveries
    }

    private func checkPublished(_ effects: [Effect], by function: String) throws {
        for case .published(let event) in effects {
            let violations = try contracts.violations(of: event)
            guard violations.isEmpty else {
                let data = (try? JSONCoding.string(event.data)) ?? ""
                throw ContractViolation(
                    function: function, payload: "published \(event.type) \(data)", violations: violations)
            }
        }
    }
}

/// What an HTTP invocation answered, with helpers for assertions.
public struct TestResponse: Sendable {
    /// The v2 response.
    public let response: HTTPResponse
    /// What the invocation published and scheduled.
    public let effects: [Effect]

    /// The status code.
    public var status: Int { response.statusCode }
    /// The body as JSON.
    public var json: JSONValue? { response.jsonBody }
    /// The error entries of an error response.
    public var errors: [ErrorDetail] { (try? json?.decode(as: ErrorBody.self))?.errors ?? [] }
    /// The `field` of each error entry, in order.
    public var errorFields: [String?] { errors.map(\.field) }
    /// The `message` of each error entry, in order.
    public var errorMessages: [String] { errors.map(\.message) }
    /// The events published.
    public var published: [CloudEvent] {
        effects.compactMap { if case .published(let event) = $0 { event } else { nil } }
    }

    /// The string member `key` of the JSON body.
    public func string(_ key: String) -> String? { json?[key]?.stringValue }
}

/// Files of the project, found from this source file's location.
public enum ProjectFiles {
    /// The package's root directory.
    public static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    /// functions.yaml.
    public static let manifest = root.appendingPathComponent("functions.yaml")
    /// events/.
    public static let events = root.appendingPathComponent("events")
    /// events/schemas/.
    public static let schemas = events.appendingPathComponent("schemas")
}
