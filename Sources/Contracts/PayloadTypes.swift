/// The payload type of every subject, for code that meets events by name (sample checks, tooling).
public enum PayloadTypes {
    /// Every payload type, one per subject.
    public static let all: [any EventPayload.Type] = [
        TicketCreated.self, TicketUpdated.self, OrderCreated.self, OrderCancelled.self, ExpirationComplete.self,
        PaymentCreated.self, ExpirationDue.self, PaymentExpired.self,
    ]

    /// The payload type of `subject`, or `nil` for an unknown subject.
    public static func type(of subject: Subject) -> (any EventPayload.Type)? {
        all.first { $0.subject == subject }
    }
}
