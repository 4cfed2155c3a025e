import Foundation

/// The status of an order, exactly as written on the wire.
public enum OrderStatus: String, Codable, Sendable, CaseIterable {
    /// Placed; the ticket is locked until `expiresAt`.
    case created
    /// Cancelled by the buyer or by expiry; the ticket is released.
    case cancelled
    /// Waiting for the payment provider.
    case awaitingPayment = "awaiting:payment"
    /// Paid.
    case complete

    /// Whether an order in this status still holds its ticket.
    public var isLive: Bool {
        self != .cancelled
    }
}

/// `order:created`: an order was placed and locks its ticket until `expiresAt`.
public struct OrderCreated: EventPayload {
    public static let subject = Subject.orderCreated

    /// The ticket as the order sees it.
    public struct Ticket: Codable, Sendable, Equatable {
        /// The ticket's id.
        public var id: String
        /// The price the buyer pays.
        public var price: Price

        /// Creates the ticket reference.
        public init(id: String, price: Price) {
            self.id = id
            self.price = price
        }
    }

    /// The order's id.
    public var id: String
    /// The order's version (0 when created).
    public var version: Int
    /// The order's status.
    public var status: OrderStatus
    /// The buyer's user id.
    public var userId: String
    /// When the order expires unless paid (ISO 8601 UTC).
    public var expiresAt: String
    /// The ordered ticket.
    public var ticket: Ticket

    /// Creates the payload.
    public init(id: String, version: Int, status: OrderStatus, userId: String, expiresAt: String, ticket: Ticket) {
        self.id = id
        self.version = version
        self.status = status
        self.userId = userId
        self.expiresAt = expiresAt
        self.ticket = ticket
    }
}

/// `order:cancelled`: an order was cancelled and releases its ticket.
public struct OrderCancelled: EventPayload {
    public static let subject = Subject.orderCancelled

    /// The ticket the order held.
    public struct Ticket: Codable, Sendable, Equatable {
        /// The ticket's id.
        public var id: String

        /// Creates the ticket reference.
        public init(id: String) {
            self.id = id
        }
    }

    /// The order's id.
    public var id: String
    /// The order's version after cancelling.
    public var version: Int
    /// The ticket to release.
    public var ticket: Ticket

    /// Creates the payload.
    public init(id: String, version: Int, ticket: Ticket) {
        self.id = id
        self.version = version
        self.ticket = ticket
    }
}

/// `expiration:complete`: an order's payment window ran out.
public struct ExpirationComplete: EventPayload {
    public static let subject = Subject.expirationComplete

    /// The expired order's id.
    public var orderId: String

    /// Creates the payload.
    public init(orderId: String) {
        self.orderId = orderId
    }
}

/// `payment:created`: an order was paid.
public struct PaymentCreated: EventPayload {
    public static let subject = Subject.paymentCreated

    /// The payment's id.
    public var id: String
    /// The paid order's id.
    public var orderId: String
    /// The charge's id at Stripe.
    public var stripeId: String

    /// Creates the payload.
    public init(id: String, orderId: String, stripeId: String) {
        self.id = id
        self.orderId = orderId
        self.stripeId = stripeId
    }
}
