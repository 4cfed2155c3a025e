import Foundation
import FunctionKit
import SQLKit

/// A delivery held up at the head of its queue, waiting for its next try: a subscription's event that
/// failed or was deferred, or a scheduled invocation that did. What `ticketing events waiting` lists.
public struct WaitingDelivery: Sendable, Encodable {
    /// An event at the head of a subscription, or a timer.
    public enum Kind: String, Sendable, Encodable {
        case event
        case schedule
    }

    /// An event or a timer.
    public var kind: Kind
    /// The subscribed or scheduled function.
    public var consumer: String
    /// The publishing service (an event) or the service that set the timer.
    public var origin: String
    /// The timer's key; `nil` for an event.
    public var key: String?
    /// Failed attempts so far (they count towards the function's retries).
    public var attempts: Int
    /// Deferrals so far (they do not).
    public var deferrals: Int
    /// When it is tried next.
    public var nextAttemptAt: Date
    /// What the last try said, when it was stored (events only).
    public var lastError: String?

    enum CodingKeys: String, CodingKey {
        case kind, consumer, origin, key, attempts, deferrals, nextAttemptAt, lastError
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(kind, forKey: .kind)
        try container.encode(consumer, forKey: .consumer)
        try container.encode(origin, forKey: .origin)
        try container.encodeIfPresent(key, forKey: .key)
        try container.encode(attempts, forKey: .attempts)
        try container.encode(deferrals, forKey: .deferrals)
        try container.encode(nextAttemptAt.iso8601, forKey: .nextAttemptAt)
        try container.encodeIfPresent(lastError, forKey: .lastError)
    }

    /// Every delivery waiting for a retry, events first (by consumer), then timers (by service and due time).
    public static func list(_ context: DeliveryContext) async throws -> [WaitingDelivery] {
        var waiting = try await DeliveryCursors.open(context.storage).waiting().map { row in
            WaitingDelivery(
                kind: .event, consumer: row.consumer, origin: row.publisher, key: nil, attempts: row.attempts,
                deferrals: row.deferrals, nextAttemptAt: row.nextAttemptAt ?? Date(epochMilliseconds: 0),
                lastError: row.lastError)
        }
        for service in context.registry.services.keys.sorted() {
            waiting += try await Timers(context.databases.database(for: service)).all(retried: true).map { timer in
                WaitingDelivery(
                    kind: .schedule, consumer: timer.function, origin: service, key: timer.key,
                    attempts: timer.attempts, deferrals: timer.deferrals, nextAttemptAt: timer.dueAt, lastError: nil)
            }
        }
        return waiting
    }
}
