import Contracts
import FunctionKit
import SQLKit

/// A ticket as the tickets service stores it; the service's source of truth.
struct TicketRecord: Sendable, Equatable {
    static let table = "tickets"
    static let columns = ["seq", "id", "title", "price_cents", "user_id", "version", "order_id"]

    var seq: Int64
    var id: String
    var title: String
    var price: Price
    var userID: String
    var version: Int
    var orderID: String?

    init(row: any SQLRow) throws {
        seq = try row.decode(column: "seq", as: Int64.self)
        id = try row.decode(column: "id", as: String.self)
        title = try row.decode(column: "title", as: String.self)
        price = Price(cents: try row.decode(column: "price_cents", as: Int.self))
        userID = try row.decode(column: "user_id", as: String.self)
        version = try row.decode(column: "version", as: Int.self)
        orderID = try row.decode(column: "order_id", as: String?.self)
    }

    /// The columns as a select list.
    static let columnList = columns.joined(separator: ", ")

    /// The ticket with `id`, or `nil`. An ``SQLTemplate`` rather than a builder: this is `GET /api/tickets/{id}`, the
    /// busiest read, and the builder cost four times the text (scripts/bench, instructions per request).
    static func find(id: String, in sql: any SQLDatabase) async throws -> TicketRecord? {
        try await select.query(id, on: sql).first().map(TicketRecord.init(row:))
    }

    private static let select = SQLTemplate("SELECT \(columnList) FROM \(table) WHERE id = ?")

    /// The ticket as clients see it.
    var body: TicketBody {
        TicketBody(id: id, title: title, price: price, userId: userID, version: version, orderId: orderID)
    }

    /// The `ticket:updated` payload for the ticket's current state.
    var updatedEvent: TicketUpdated {
        TicketUpdated(id: id, version: version, title: title, price: price, userId: userID, orderId: orderID)
    }
}

/// A ticket on the wire: `{id, title, price, userId, version, orderId?}`.
struct TicketBody: Codable, Sendable, Equatable {
    var id: String
    var title: String
    var price: Price
    var userId: String
    var version: Int
    var orderId: String?
}
