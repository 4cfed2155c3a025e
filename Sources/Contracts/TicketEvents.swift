/// `ticket:created`: a ticket was listed for sale.
public struct TicketCreated: EventPayload {
    public static let subject = Subject.ticketCreated

    /// The ticket's id.
    public var id: String
    /// The ticket's version after the change (0 for a new ticket).
    public var version: Int
    /// The ticket's title.
    public var title: String
    /// The asking price.
    public var price: Price
    /// The seller's user id.
    public var userId: String

    /// Creates the payload.
    public init(id: String, version: Int, title: String, price: Price, userId: String) {
        self.id = id
        self.version = version
        self.title = title
        self.price = price
        self.userId = userId
    }
}

/// `ticket:updated`: a ticket was edited, reserved by an order or released by one.
public struct TicketUpdated: EventPayload {
    public static let subject = Subject.ticketUpdated

    /// The ticket's id.
    public var id: String
    /// The ticket's version after the change.
    public var version: Int
    /// The ticket's title.
    public var title: String
    /// The asking price.
    public var price: Price
    /// The seller's user id.
    public var userId: String
    /// The order that reserves the ticket; absent while it is not reserved.
    public var orderId: String?

    /// Creates the payload.
    public init(id: String, version: Int, title: String, price: Price, userId: String, orderId: String?) {
        self.id = id
        self.version = version
        self.title = title
        self.price = price
        self.userId = userId
        self.orderId = orderId
    }
}
