import Foundation
import Logging
import SQLKit
import Synchronization

/// The consumer and event an event invocation records in its service's inbox.
public struct InboxEntry: Sendable, Equatable {
    /// The consuming function.
    public var consumer: String
    /// The event's `source`.
    public var source: String
    /// The event's `id`.
    public var eventID: String

    /// Creates an inbox entry.
    public init(consumer: String, source: String, eventID: String) {
        self.consumer = consumer
        self.source = source
        self.eventID = eventID
    }
}

/// Thrown by ``FunctionContext/transaction(_:)`` when the event being handled was already handled: the
/// transaction is rolled back and the delivery counts as done.
public struct DuplicateDelivery: Error, Sendable, Equatable {
    /// The inbox entry that was already there.
    public let entry: InboxEntry
}

/// Thrown when an event handler opens a second transaction: its effect must commit in one transaction with
/// the event's inbox entry, or a redelivery could not tell what was already done.
public struct SecondTransactionInEventHandler: Error, Sendable, CustomStringConvertible {
    /// The function.
    public let function: String

    public var description: String {
        "\(function): an event handler commits its effect in one transaction (a second one was opened)"
    }
}

/// Everything a handler may touch: time, logging, the caller's session, its service's database, and
/// publishing and scheduling inside a transaction. Handlers reach nothing else.
public struct FunctionContext: Sendable {
    /// The function being invoked.
    public let functionName: String
    /// The invocation's id (the HTTP request id or the event id).
    public let invocationID: String
    /// The clock.
    public let clock: any WallClock
    /// The logger, labelled with the function and invocation.
    public let logger: Logger
    /// The signed-in user of an HTTP request, if any.
    public let session: Session?
    /// Issues session tokens and cookies.
    public let sessions: SessionCodec
    /// The service's database.
    public let database: any ServiceDatabase
    /// What the invocation published and scheduled.
    public let effects: EffectLog
    /// For event invocations: the inbox entry recorded with the transaction's effect.
    public let inboxEntry: InboxEntry?
    /// The invocation's trace context (its span): what it publishes and schedules carries it.
    public let trace: TraceContext?
    private let transactionsOpened = TransactionCounter()

    /// Creates a context.
    public init(
        functionName: String, invocationID: String, clock: any WallClock, logger: Logger, session: Session?,
        sessions: SessionCodec, database: any ServiceDatabase, effects: EffectLog = EffectLog(),
        inboxEntry: InboxEntry? = nil, trace: TraceContext? = nil
    ) {
        self.functionName = functionName
        self.invocationID = invocationID
        self.clock = clock
        self.logger = logger
        self.session = session
        self.sessions = sessions
        self.database = database
        self.effects = effects
        self.inboxEntry = inboxEntry
        self.trace = trace
    }

    /// The current time.
    public var now: Date { clock.now }

    /// The signed-in user, or 401 `Not authorized`.
    public func requireSession() throws -> Session {
        guard let session else { throw FunctionError.notAuthorized }
        return session
    }

    /// Runs `body` in one transaction of the service's database. Events it publishes and invocations it
    /// schedules commit with it. For an event invocation the event's inbox entry is written first; if it
    /// is already there, ``DuplicateDelivery`` is thrown and nothing changes. An event invocation may open
    /// one transaction only (``SecondTransactionInEventHandler``).
    @discardableResult
    public func transaction<T: Sendable>(_ body: @Sendable (Transaction) async throws -> T) async throws -> T {
        let now = self.now
        let service = database.service
        let inboxEntry = self.inboxEntry
        let trace = self.trace
        if inboxEntry != nil, transactionsOpened.increment() > 1 {
            throw SecondTransactionInEventHandler(function: functionName)
        }
        let (value, effects) = try await database.transaction { sql in
            if let inboxEntry {
                guard try await Inbox.record(inboxEntry, at: now, in: sql) else {
                    throw DuplicateDelivery(entry: inboxEntry)
                }
            }
            let transaction = Transaction(sql: sql, now: now, service: service, trace: trace)
            let value = try await body(transaction)
            return (value, transaction.effects)
        }
        self.effects.record(effects)
        return value
    }

    /// Runs read-only work on the service's database.
    public func read<T: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        try await database.read(body)
    }
}

/// Counts the transactions an invocation opened.
final class TransactionCounter: Sendable {
    private let count = Mutex(0)

    /// Adds one and returns the new count.
    func increment() -> Int {
        count.withLock { value in
            value += 1
            return value
        }
    }
}
