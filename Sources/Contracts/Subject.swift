/// The subject of an event: the CloudEvent `type` every publisher and subscriber agrees on.
public struct Subject: RawRepresentable, Hashable, Sendable, Codable, CustomStringConvertible {
    /// The wire name, e.g. `ticket:created`.
    public let rawValue: String

    /// Creates a subject from its wire name.
    public init(rawValue: String) {
        self.rawValue = rawValue
    }

    /// The wire name.
    public var description: String { rawValue }

    /// A ticket was listed for sale.
    public static let ticketCreated = Subject(rawValue: "ticket:created")
    /// A ticket was edited, reserved or released.
    public static let ticketUpdated = Subject(rawValue: "ticket:updated")
    /// An order was placed and locks its ticket.
    public static let orderCreated = Subject(rawValue: "order:created")
    /// An order was cancelled and releases its ticket.
    public static let orderCancelled = Subject(rawValue: "order:cancelled")
    /// An order's payment window ran out.
    public static let expirationComplete = Subject(rawValue: "expiration:complete")
    /// An order was paid.
    public static let paymentCreated = Subject(rawValue: "payment:created")

    /// Every subject of SPEC §6, in the order the table lists them.
    public static let all: [Subject] = [
        .ticketCreated, .ticketUpdated, .orderCreated, .orderCancelled, .expirationComplete, .paymentCreated,
    ]

    /// The subject written with dashes, as used in function names (`ticket-created`).
    public var dashed: String {
        rawValue.replacingOccurrences(of: ":", with: "-")
    }
}
