/// `expiration:due`: an order's payment window ran out, and the expiration service asks payments whether it
/// was paid in time. Payments answers `payment:expired` when it was not; a paid order gets no answer (its
/// `payment:created` completes it).
public struct ExpirationDue: EventPayload {
    public static let subject = Subject.expirationDue

    /// The order whose window ran out.
    public var orderId: String

    /// Creates the payload.
    public init(orderId: String) {
        self.orderId = orderId
    }
}

/// `payment:expired`: payments closed an order's payment window with the order unpaid. From then on a charge
/// that lands on the order is refunded, so the expiration service may publish `expiration:complete` and
/// orders may cancel the order without a payment ever losing that race.
public struct PaymentExpired: EventPayload {
    public static let subject = Subject.paymentExpired

    /// The order that was not paid in time.
    public var orderId: String

    /// Creates the payload.
    public init(orderId: String) {
        self.orderId = orderId
    }
}
