import Contracts

/// A function subscribed to one event subject.
public protocol EventFunction: Sendable {
    /// The payload type, which names the subject.
    associatedtype Payload: EventPayload

    /// Handles one delivery. Must be idempotent; record effects through ``FunctionContext/transaction(_:)``
    /// so that a redelivered event changes nothing twice.
    func handle(_ payload: Payload, event: CloudEvent, context: FunctionContext) async throws
}

/// A function invoked by the scheduler at a time a handler asked for.
public protocol ScheduledFunction: Sendable {
    /// The payload the scheduling handler stored.
    associatedtype Payload: Codable & Sendable

    /// Handles one scheduled invocation.
    func handle(_ payload: Payload, event: CloudEvent, context: FunctionContext) async throws
}
