import Contracts
import Foundation
import SQLKit
import Synchronization

/// A handler's open transaction: its SQL, and publishing and scheduling that commit with it.
public final class Transaction: Sendable {
    /// The SQL connection inside the transaction.
    public let sql: any SQLDatabase
    /// The time the transaction started, from the context's clock.
    public let now: Date
    let service: String
    /// The invocation's trace context, carried by what it publishes and schedules.
    let trace: TraceContext?
    private let pending: Mutex<[Effect]>

    init(sql: any SQLDatabase, now: Date, service: String, trace: TraceContext? = nil) {
        self.sql = sql
        self.now = now
        self.service = service
        self.trace = trace
        self.pending = Mutex([])
    }

    var effects: [Effect] { pending.withLock { $0 } }

    /// The CloudEvent `source` of this service's events.
    public static func source(of service: String) -> String {
        "/ticketing/\(service)"
    }

    /// Writes `payload` to the outbox under its subject; it is delivered only if the transaction commits.
    @discardableResult
    public func publish<Payload: EventPayload>(_ payload: Payload) async throws -> CloudEvent {
        // The payload is encoded once: its text goes to the outbox, its parse into the event.
        let data = try JSONCoding.data(payload)
        let event = CloudEvent.published(
            id: UUID.random().lowercasedString, subject: Payload.subject, by: service, at: now,
            data: try JSONValue(parsing: data), trace: trace)
        try await Outbox.append(event, data: data, at: now, in: sql)
        pending.withLock { $0.append(.published(event)) }
        return event
    }

    /// Asks for `function` to be invoked with `payload` at or after `dueAt`; `key` names the timer so it
    /// can be cancelled. Scheduling the same key again replaces the earlier timer.
    @discardableResult
    public func schedule(_ function: String, payload: some Encodable & Sendable, at dueAt: Date, key: String)
        async throws
        -> ScheduledInvocation
    {
        let invocation = ScheduledInvocation(
            id: UUID.random().lowercasedString, function: function, key: key, payload: try JSONValue(encoding: payload),
            dueAt: dueAt)
        try await Timers.set(invocation, payload: try JSONCoding.string(payload), trace: trace, at: now, in: sql)
        pending.withLock { $0.append(.scheduled(invocation)) }
        return invocation
    }

    /// Withdraws the timer named `key`, if it has not fired. Returns whether one was pending.
    @discardableResult
    public func cancelSchedule(key: String) async throws -> Bool {
        guard let function = try await Timers.withdraw(key: key, in: sql) else { return false }
        pending.withLock { $0.append(.cancelledSchedule(function: function, key: key)) }
        return true
    }
}

extension CloudEvent {
    /// The event `service` published on `subject` at `time`: built here only, both when a handler publishes it
    /// and when delivery reads it back from the outbox, so the two cannot differ.
    public static func published(
        id: String, subject: Subject, by service: String, at time: Date, data: JSONValue, trace: TraceContext? = nil
    ) -> CloudEvent {
        CloudEvent(
            id: id, source: Transaction.source(of: service), type: subject.rawValue, time: time.iso8601, data: data,
            dataschema: schemaLocation(for: subject), trace: trace)
    }
}
