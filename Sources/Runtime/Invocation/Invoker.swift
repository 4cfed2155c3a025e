import Contracts
import Foundation
import FunctionKit
import Logging

/// Why a function could not be run at all (as opposed to running and answering an error).
public enum InvocationError: Error, CustomStringConvertible, Sendable, Equatable {
    /// No function has this name.
    case unknownFunction(String, known: [String])
    /// The function exists but takes another kind of event.
    case wrongKind(function: String, expected: TriggerKind, actual: TriggerKind)

    public var description: String {
        switch self {
        case .unknownFunction(let name, let known):
            let close = known.filter { $0.hasPrefix(String(name.prefix(4))) }.prefix(4)
            return "unknown function '\(name)'"
                + (close.isEmpty ? "" : "; did you mean \(close.joined(separator: ", "))?")
        case .wrongKind(let function, let expected, let actual):
            return
                "function '\(function)' is \(actual == .http ? "an HTTP" : "an event") function, not \(expected == .http ? "an HTTP" : "an event") one"
        }
    }
}

/// What an HTTP invocation answered and caused.
public struct HTTPInvocation: Sendable {
    /// The v2 response.
    public var response: HTTPResponse
    /// What it published and scheduled.
    public var effects: [Effect]
    /// The trace context of its span.
    public var trace: TraceContext?
}

/// How an event invocation ended.
public enum EventOutcome: Sendable, Equatable {
    /// The handler ran and committed.
    case handled
    /// The event had been handled before; nothing changed.
    case duplicate
    /// The event cannot be handled as it is (bad shape): retrying will not help.
    case rejected(String)
    /// The handler failed; a later attempt may succeed.
    case failed(String)
    /// The event depends on one that has not arrived yet (``FunctionError/retryLater(_:)``): it is tried
    /// again with backoff, without using up its attempts, so it is never dead-lettered for waiting.
    case deferred(String)

    /// A word for logs and output: handled, duplicate, rejected, failed or deferred.
    public var status: String {
        switch self {
        case .handled: "handled"
        case .duplicate: "duplicate"
        case .rejected: "rejected"
        case .failed: "failed"
        case .deferred: "deferred"
        }
    }
}

/// What an event invocation did.
public struct EventInvocation: Sendable {
    /// How it ended.
    public var outcome: EventOutcome
    /// What it published and scheduled.
    public var effects: [Effect]
    /// The trace context of its span, when it ran.
    public var trace: TraceContext?

    /// An invocation that ended with `outcome` and had `effects`.
    public init(outcome: EventOutcome, effects: [Effect], trace: TraceContext? = nil) {
        self.outcome = outcome
        self.effects = effects
        self.trace = trace
    }
}

/// Runs one function on one event with a fresh context: the one path every front end (`invoke`, the
/// gateway, the dispatcher, container mode) goes through.
public struct Invoker: Sendable {
    /// The functions.
    public let registry: FunctionRegistry
    /// Where services keep their data.
    public let storage: any StorageEngine
    /// Session tokens and cookies.
    public let sessions: SessionCodec
    /// The clock handed to handlers, and the one delivery sleeps on.
    public let clock: any WallClock
    /// The clock handlers' time limits run on: real time, except where a test moves time to see a time-out.
    /// (`invoke --advance` and the simulation move ``clock`` while handlers run, and keep real time here.)
    public let deadlineClock: any WallClock
    /// The base logger.
    public let logger: Logger
    /// The schemas incoming events are checked against before a handler sees them (read when the first
    /// event comes).
    public let contracts: LazyContracts?
    /// Hears every commit, to wake delivery and the scheduler.
    public let commits: CommitFeed
    /// Each service's database, opened once.
    public let databases: ServiceDatabases
    /// The base logger of each function, labelled with its name once.
    private let loggers: [String: Logger]
    /// Where invocations are counted and timed; `nil` counts nothing.
    public let metrics: RuntimeMetrics?
    /// Starts a span around each invocation, and each delivery the invoker's delivery context makes.
    public let tracer: InvocationTracer

    /// Creates an invoker.
    public init(
        registry: FunctionRegistry, storage: any StorageEngine, sessions: SessionCodec, clock: any WallClock,
        deadlineClock: any WallClock = SystemClock(), logger: Logger, contracts: ContractCatalog? = nil,
        commits: CommitFeed = CommitFeed(), metrics: RuntimeMetrics? = nil, tracer: InvocationTracer = .propagating
    ) {
        self.init(
            registry: registry, storage: storage, sessions: sessions, clock: clock, deadlineClock: deadlineClock,
            logger: logger, lazyContracts: contracts.map(LazyContracts.init), commits: commits, metrics: metrics,
            tracer: tracer)
    }

    /// Creates an invoker whose contracts are read when the first event needs them.
    public init(
        registry: FunctionRegistry, storage: any StorageEngine, sessions: SessionCodec, clock: any WallClock,
        deadlineClock: any WallClock = SystemClock(), logger: Logger, lazyContracts: LazyContracts?,
        commits: CommitFeed = CommitFeed(), metrics: RuntimeMetrics? = nil, tracer: InvocationTracer = .propagating
    ) {
        self.registry = registry
        self.tracer = tracer
        self.metrics = metrics
        self.commits = commits
        self.contracts = lazyContracts
        self.storage = storage
        self.databases = ServiceDatabases(storage: storage, registry: registry)
        self.sessions = sessions
        self.clock = clock
        self.deadlineClock = deadlineClock
        self.logger = logger
        self.loggers = Dictionary(
            registry.entries.map { entry in
                // Room for what each invocation adds (request or event, trace and span ids), so adding it
                // copies the metadata once instead of growing it twice.
                var labelled = logger
                var metadata = Logger.Metadata(minimumCapacity: labelled.handler.metadata.count + 4)
                metadata.merge(labelled.handler.metadata) { $1 }
                metadata["function"] = .string(entry.name)
                labelled.handler.metadata = metadata
                return (entry.name, labelled)
            }, uniquingKeysWith: { first, _ in first })
    }

    /// The database of `service`, migrated.
    public func database(for service: String) async throws -> any ServiceDatabase {
        try await databases.database(for: service)
    }

    /// Opens and migrates every service's database.
    public func prepare() async throws {
        for service in registry.services.keys.sorted() {
            _ = try await database(for: service)
        }
    }

    /// Runs the HTTP function `name` on `request`. Handler errors become error responses; only a function
    /// that cannot be found or is not an HTTP function throws.
    public func invoke(http name: String, request: HTTPRequest) async throws -> HTTPInvocation {
        guard let metrics else { return try await run(http: name, request: request) }
        let started = ContinuousClock.now
        let invocation = try await run(http: name, request: request)
        let outcome = invocation.response.statusCode >= 500 ? "failed" : "handled"
        metrics.invocation(function: name, outcome: outcome, duration: ContinuousClock.now - started)
        return invocation
    }

    private func run(http name: String, request: HTTPRequest) async throws -> HTTPInvocation {
        let entry = try self.entry(name)
        guard case .http(let function) = entry.handler else {
            throw InvocationError.wrongKind(function: name, expected: .http, actual: entry.handler.kind)
        }
        var request = request
        if case .http(let route) = entry.declaration.trigger, request.pathParameters.isEmpty, route.hasParameters,
            let parameters = route.match(path: request.rawPath)
        {
            request.pathParameters = parameters
        }
        let effects = EffectLog(onCommit: commits.committed)
        let span = tracer.start(name, kind: .server, parent: Self.trace(of: request))
        span.set([
            "http.request.method": .string(request.requestContext.http.method), "url.path": .string(request.rawPath),
        ])
        let logger = self.logger(of: name, "request", request.requestContext.requestId, trace: span.trace)
        let context = FunctionContext(
            functionName: name, invocationID: request.requestContext.requestId, clock: clock, logger: logger,
            session: await sessions.session(for: request, now: clock.now), sessions: sessions,
            database: try await database(for: entry.service), effects: effects, trace: span.trace)
        let response: HTTPResponse
        do {
            let request = request
            response = try await Deadline.run(name, seconds: timeout(of: entry), on: deadlineClock) {
                try await function.handle(request, context: context)
            }
        } catch let error as FunctionError {
            response = error.response
        } catch let error as FunctionTimedOut {
            logger.error("handler timed out", metadata: ["seconds": "\(error.seconds)"])
            response = HTTPResponse.errorResponse(504, [ErrorDetail(message: "Function timed out")])
        } catch {
            logger.error("handler failed", metadata: ["error": "\(String(reflecting: error))"])
            response = HTTPResponse.errorResponse(500, [ErrorDetail(message: "Something went wrong")])
        }
        span.set(["http.response.status_code": .int64(Int64(response.statusCode))])
        span.end(failure: response.statusCode >= 500 ? "status \(response.statusCode)" : nil)
        return HTTPInvocation(response: response, effects: effects.effects, trace: span.trace)
    }

    /// Runs the event or scheduled function `name` on `event`, recording the event in the service's inbox
    /// with its effect. Its span's parent is `parent` (the delivery's span), else the event's own trace context.
    public func invoke(event name: String, event: CloudEvent, parent: TraceContext? = nil) async throws
        -> EventInvocation
    {
        let started = ContinuousClock.now
        let invocation = try await run(event: name, event: event, parent: parent ?? event.trace)
        metrics?.invocation(function: name, outcome: invocation.outcome.status, duration: ContinuousClock.now - started)
        return invocation
    }

    private func run(event name: String, event: CloudEvent, parent: TraceContext?) async throws -> EventInvocation {
        let entry = try self.entry(name)
        let run: @Sendable (CloudEvent, FunctionContext) async throws -> Void
        switch entry.handler {
        case .http:
            throw InvocationError.wrongKind(function: name, expected: .subscription, actual: .http)
        case .subscription(let subject, let handler):
            guard event.type == subject.rawValue else {
                return EventInvocation(
                    outcome: .rejected("function '\(name)' takes '\(subject)' events, not '\(event.type)'"), effects: []
                )
            }
            if let violations = try contracts?.catalog().violations(of: event), !violations.isEmpty {
                return EventInvocation(
                    outcome: .rejected(
                        "event \(event.id) breaks its contract: "
                            + violations.map(\.description).joined(separator: "; ")),
                    effects: [])
            }
            run = handler
        case .schedule(let handler):
            if let violations = try contracts?.catalog().violations(ofScheduled: event, function: name),
                !violations.isEmpty
            {
                return EventInvocation(
                    outcome: .rejected(
                        "scheduled invocation \(event.id) breaks its contract: "
                            + violations.map(\.description).joined(separator: "; ")),
                    effects: [])
            }
            run = handler
        }
        let effects = EffectLog(onCommit: commits.committed)
        let span = tracer.start(name, kind: .consumer, parent: parent)
        span.set(["cloudevents.event_id": .string(event.id), "cloudevents.event_type": .string(event.type)])
        let logger = self.logger(of: name, "event", event.id, trace: span.trace)
        let context = FunctionContext(
            functionName: name, invocationID: event.id, clock: clock, logger: logger, session: nil, sessions: sessions,
            database: try await database(for: entry.service), effects: effects,
            inboxEntry: InboxEntry(consumer: name, source: event.source, eventID: event.id), trace: span.trace)
        let outcome: EventOutcome
        do {
            try await Deadline.run(name, seconds: timeout(of: entry), on: deadlineClock) {
                try await run(event, context)
            }
            outcome = .handled
        } catch is DuplicateDelivery {
            outcome = .duplicate
        } catch FunctionError.invalidEvent(let message) {
            outcome = .rejected(message)
        } catch FunctionError.retryLater(let message) {
            outcome = .deferred(message)
        } catch let error as FunctionError {
            outcome = .failed(error.details.map(\.message).joined(separator: "; "))
        } catch {
            logger.warning("handler failed", metadata: ["error": "\(String(reflecting: error))"])
            outcome = .failed(String(describing: error))
        }
        switch outcome {
        case .handled, .duplicate, .deferred: span.end()
        case .rejected(let reason), .failed(let reason): span.end(failure: reason)
        }
        return EventInvocation(outcome: outcome, effects: effects.effects, trace: span.trace)
    }

    /// The trace context an HTTP request continues: its `traceparent` (with `tracestate`), else its
    /// `X-Amzn-Trace-Id` (API Gateway and the Lambda Runtime API set it).
    public static func trace(of request: HTTPRequest) -> TraceContext? {
        if let traceparent = request.headers["traceparent"],
            let trace = TraceContext(traceparent: traceparent, tracestate: request.headers["tracestate"])
        {
            return trace
        }
        return request.headers["x-amzn-trace-id"].flatMap(AmazonTraceHeader.trace(from:))
    }

    /// The logger of one invocation of function `name`: labelled with the invocation's id under `key`
    /// (`request` or `event`) and its trace and span ids, set in one go.
    private func logger(of name: String, _ key: String, _ id: String, trace: TraceContext) -> Logger {
        var logger = loggers[name] ?? logger
        var metadata = logger.handler.metadata
        metadata[key] = .string(id)
        metadata["trace_id"] = .string(trace.traceID)
        metadata["span_id"] = .string(trace.spanID)
        logger.handler.metadata = metadata
        return logger
    }

    /// The seconds `entry`'s handler may run.
    private func timeout(of entry: FunctionRegistry.Entry) -> Double {
        registry.timeout(of: entry)
    }

    private func entry(_ name: String) throws -> FunctionRegistry.Entry {
        guard let entry = registry.entry(named: name) else {
            throw InvocationError.unknownFunction(name, known: registry.entries.map(\.name))
        }
        return entry
    }
}
