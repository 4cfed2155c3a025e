import Contracts

/// How a function is triggered, as declared in functions.yaml and implemented by its handler.
public enum TriggerKind: String, Sendable, Equatable, CustomStringConvertible {
    /// An HTTP route.
    case http
    /// An event subscription.
    case subscription
    /// A schedule target.
    case schedule

    public var description: String { rawValue }
}

/// A compiled handler, erased to what the runtime needs.
public enum FunctionHandler: Sendable {
    /// An HTTP function.
    case http(any HTTPFunction)
    /// An event function and the subject its payload type names.
    case subscription(Subject, @Sendable (CloudEvent, FunctionContext) async throws -> Void)
    /// A scheduled function.
    case schedule(@Sendable (CloudEvent, FunctionContext) async throws -> Void)

    /// The trigger kind the handler implements.
    public var kind: TriggerKind {
        switch self {
        case .http: .http
        case .subscription: .subscription
        case .schedule: .schedule
        }
    }
}

/// A named function of a service with its handler.
public struct FunctionDefinition: Sendable {
    /// The function's name, e.g. `tickets-create`.
    public let name: String
    /// The handler.
    public let handler: FunctionHandler

    /// An HTTP function.
    public init(_ name: String, http function: some HTTPFunction) {
        self.name = name
        self.handler = .http(function)
    }

    /// An event function subscribed to its payload's subject.
    public init<F: EventFunction>(_ name: String, subscription function: F) {
        self.name = name
        self.handler = .subscription(F.Payload.subject) { event, context in
            let payload = try event.decodeData(as: F.Payload.self)
            try await function.handle(payload, event: event, context: context)
        }
    }

    /// A scheduled function.
    public init<F: ScheduledFunction>(_ name: String, schedule function: F) {
        self.name = name
        self.handler = .schedule { event, context in
            let payload = try event.decodeData(as: F.Payload.self)
            try await function.handle(payload, event: event, context: context)
        }
    }
}

/// A service: its name, its tables' migrations and its functions.
public struct ServiceDefinition: Sendable {
    /// The service's name, e.g. `tickets`; also its database's name.
    public let name: String
    /// Its own migrations, applied after ``MessagingTables/migrations``.
    public let migrations: [Migration]
    /// Its functions.
    public let functions: [FunctionDefinition]

    /// Creates a service.
    public init(name: String, migrations: [Migration], functions: [FunctionDefinition]) {
        self.name = name
        self.migrations = migrations
        self.functions = functions
    }
}
