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
    /// An order's payment window ran out; payments is asked to close it unless the order is paid.
    public static let expirationDue = Subject(rawValue: "expiration:due")
    /// Payments closed an order's payment window with the order unpaid: no charge will pay it any more.
    public static let paymentExpired = Subject(rawValue: "payment:expired")

    /// Every subject: those of SPEC §6 in the order its table lists them, then the two that settle an
    /// order's expiry with payments before it is cancelled (README, "Events").
    public static let all: [Subject] = [
        .ticketCreated, .ticketUpdated, .orderCreated, .orderCancelled, .expirationComplete, .paymentCreated,
        .expirationDue, .paymentExpired,
    ]

    /// The subject written with dashes, as used in function names (`ticket-created`).
    public var dashed: String {
        String(decoding: rawValue.utf8.map { $0 == UInt8(ascii: ":") ? UInt8(ascii: "-") : $0 }, as: UTF8.self)
    }
}
