import Foundation
import Synchronization

/// Something an invocation caused besides its result, recorded once its transaction committed.
public enum Effect: Sendable, Equatable {
    /// An event written to the service's outbox.
    case published(CloudEvent)
    /// A scheduled invocation requested.
    case scheduled(ScheduledInvocation)
    /// A scheduled invocation withdrawn, by key.
    case cancelledSchedule(function: String, key: String)
}

/// A request to invoke `function` with `payload` at or after `dueAt`.
public struct ScheduledInvocation: Codable, Sendable, Equatable {
    /// The timer's id.
    public var id: String
    /// The function to invoke.
    public var function: String
    /// The key that identifies the timer for cancelling (e.g. an order id).
    public var key: String
    /// The payload the function will receive as its event's `data`.
    public var payload: JSONValue
    /// When it is due.
    public var dueAt: Date

    /// Creates a scheduled invocation.
    public init(id: String, function: String, key: String, payload: JSONValue, dueAt: Date) {
        self.id = id
        self.function = function
        self.key = key
        self.payload = payload
        self.dueAt = dueAt
    }
}

/// The effects of one invocation, in the order their transactions committed.
public final class EffectLog: Sendable {
    private let entries = Mutex<[Effect]>([])
    private let onCommit: (@Sendable ([Effect]) -> Void)?

    /// Creates an empty log; `onCommit` hears each transaction's effects as soon as it commits (the runtime
    /// uses it to wake delivery and the scheduler).
    public init(onCommit: (@Sendable ([Effect]) -> Void)? = nil) {
        self.onCommit = onCommit
    }

    /// The recorded effects.
    public var effects: [Effect] { entries.withLock { $0 } }

    /// The events published.
    public var published: [CloudEvent] {
        effects.compactMap { if case .published(let event) = $0 { event } else { nil } }
    }

    /// The invocations scheduled.
    public var scheduled: [ScheduledInvocation] {
        effects.compactMap { if case .scheduled(let invocation) = $0 { invocation } else { nil } }
    }

    func record(_ newEffects: [Effect]) {
        guard !newEffects.isEmpty else { return }
        entries.withLock { $0.append(contentsOf: newEffects) }
        onCommit?(newEffects)
    }
}
