import Contracts
import Foundation
import FunctionKit
import Logging
import Runtime
import SQLKit
import Synchronization

/// A test service for delivery: it publishes `ticket:created` on demand, records what it consumes in
/// order, defers and then fails on purpose while its budgets last, and has a schedule target.
final class AuditService: Sendable {
    /// Failures still to answer, per consumer.
    let failures = Mutex<[String: Int]>([:])
    /// Deferrals (``FunctionError/retryLater(_:)``) still to answer, per consumer; taken before failures.
    let waits = Mutex<[String: Int]>([:])
    /// Consumed events, in the order they were handled.
    let seen = Mutex<[String]>([])
    /// Each consumed event as it is handled, for tests of the background loops.
    let handled: AsyncStream<String>
    private let handledContinuation: AsyncStream<String>.Continuation

    init() {
        (handled, handledContinuation) = AsyncStream.makeStream(of: String.self)
    }

    static let manifest = """
        settings:
          retries: 3
        functions:
          - name: audit-on-ticket-created
            service: audit
            subscribe: ticket:created
          - name: audit-on-expiration-complete
            service: audit
            subscribe: expiration:complete
          - name: audit-fire
            service: audit
            schedule: true
          - name: audit-on-order-created
            service: audit
            subscribe: order:created
            timeout: 0.05
        """

    struct Recorder<Payload: EventPayload>: EventFunction {
        let name: String
        let audit: AuditService
        let describe: @Sendable (Payload) -> String

        func handle(_ payload: Payload, event: CloudEvent, context: FunctionContext) async throws {
            if audit.take(from: audit.waits, name) {
                throw FunctionError.retryLater("\(name) is waiting on purpose")
            }
            if audit.takeFailure(name) {
                throw FunctionError.unavailable("\(name) is failing on purpose")
            }
            let label = describe(payload)
            if label == "poison" { throw FunctionError.invalidEvent("poison pill") }
            try await context.transaction { transaction in
                try await transaction.sql.insert(into: "seen").columns("consumer", "label").values(
                    SQLBind(name), SQLBind(label)
                ).run()
            }
            audit.seen.withLock { $0.append("\(name):\(label)") }
            audit.handledContinuation.yield("\(name):\(label)")
        }
    }

    /// Never finishes on its own: it waits far past its 50 ms timeout.
    struct Hang: EventFunction {
        func handle(_ payload: OrderCreated, event: CloudEvent, context: FunctionContext) async throws {
            try await Task.sleep(for: .seconds(3600))
        }
    }

    struct Fire: ScheduledFunction {
        struct Payload: Codable, Sendable { var orderId: String }
        let audit: AuditService

        func handle(_ payload: Payload, event: CloudEvent, context: FunctionContext) async throws {
            if audit.take(from: audit.waits, "audit-fire") {
                throw FunctionError.retryLater("audit-fire is waiting on purpose")
            }
            if audit.takeFailure("audit-fire") { throw FunctionError.unavailable("audit-fire is failing on purpose") }
            try await context.transaction { transaction in
                try await transaction.publish(ExpirationComplete(orderId: payload.orderId))
            }
        }
    }

    var definition: ServiceDefinition {
        ServiceDefinition(
            name: "audit",
            migrations: [
                Migration("001") { sql in
                    try await sql.create(table: "seen").column("consumer", type: .text, .notNull)
                        .column("label", type: .text, .notNull).run()
                }
            ],
            functions: [
                FunctionDefinition(
                    "audit-on-ticket-created",
                    subscription: Recorder<TicketCreated>(name: "audit-on-ticket-created", audit: self) { $0.title }),
                FunctionDefinition(
                    "audit-on-expiration-complete",
                    subscription: Recorder<ExpirationComplete>(name: "audit-on-expiration-complete", audit: self) {
                        $0.orderId
                    }),
                FunctionDefinition("audit-fire", schedule: Fire(audit: self)),
                FunctionDefinition("audit-on-order-created", subscription: Hang()),
            ])
    }

    /// Whether `consumer` should fail this time (using up one failure).
    func takeFailure(_ consumer: String) -> Bool {
        take(from: failures, consumer)
    }

    /// Whether `budgets` has one left for `consumer` (using it up).
    func take(from budgets: borrowing Mutex<[String: Int]>, _ consumer: String) -> Bool {
        budgets.withLock { budget in
            guard let left = budget[consumer], left > 0 else { return false }
            budget[consumer] = left - 1
            return true
        }
    }

    /// Fails the next `count` deliveries to `consumer`.
    func fail(_ consumer: String, times count: Int) {
        failures.withLock { $0[consumer] = count }
    }

    /// Defers the next `count` deliveries to `consumer`, as a handler waiting for an earlier event does.
    func wait(_ consumer: String, times count: Int) {
        waits.withLock { $0[consumer] = count }
    }

    /// A context of the audit service for test code to publish and schedule from.
    static func context(_ invoker: Invoker, clock: any WallClock) async throws -> FunctionContext {
        FunctionContext(
            functionName: "audit-test", invocationID: UUID().uuidString, clock: clock, logger: Logger(label: "test"),
            session: nil, sessions: invoker.sessions, database: try await invoker.database(for: "audit"),
            effects: EffectLog(onCommit: invoker.commits.committed))
    }

    /// Publishes one `ticket:created` per title, each in its own transaction.
    static func publish(_ titles: [String], _ invoker: Invoker, clock: any WallClock) async throws {
        let context = try await context(invoker, clock: clock)
        for title in titles {
            try await context.transaction { transaction in
                try await transaction.publish(
                    TicketCreated(id: title, version: 0, title: title, price: Price(cents: 100), userId: "u"))
            }
        }
    }

    /// Publishes one `order:created`.
    static func publishOrder(_ invoker: Invoker, clock: any WallClock) async throws {
        let context = try await context(invoker, clock: clock)
        try await context.transaction { transaction in
            try await transaction.publish(
                OrderCreated(
                    id: "o1", version: 0, status: .created, userId: "u", expiresAt: transaction.now.iso8601,
                    ticket: OrderCreated.Ticket(id: "t1", price: Price(cents: 100))))
        }
    }

    /// Schedules `audit-fire` for `orderID` at `dueAt`.
    static func schedule(_ orderID: String, at dueAt: Date, _ invoker: Invoker, clock: any WallClock) async throws {
        let context = try await context(invoker, clock: clock)
        try await context.transaction { transaction in
            try await transaction.schedule("audit-fire", payload: ["orderId": orderID], at: dueAt, key: orderID)
        }
    }

    /// Withdraws the timer of `orderID`.
    static func cancel(_ orderID: String, _ invoker: Invoker, clock: any WallClock) async throws {
        let context = try await context(invoker, clock: clock)
        try await context.transaction { transaction in
            try await transaction.cancelSchedule(key: orderID)
        }
    }
}
