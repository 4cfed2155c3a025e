/// The `data` of an event: one concrete type per subject.
public protocol EventPayload: Codable, Sendable, Equatable {
    /// The subject this payload is published under.
    static var subject: Subject { get }
}
