import Contracts
import Foundation
import FunctionKit
import SQLKit

/// An order with the replica of its ticket: what the HTTP functions answer with.
struct PlacedOrder: Sendable, Equatable {
    var order: OrderRecord
    var ticket: TicketReplica

    init(order: OrderRecord, ticket: TicketReplica) {
        self.order = order
        self.ticket = ticket
    }

    init(row: any SQLRow) throws {
        order = try OrderRecord(row: row)
        ticket = TicketReplica(
            id: order.ticketID, title: try row.decode(column: "ticket_title", as: String.self),
            price: Price(cents: try row.decode(column: "ticket_price_cents", as: Int.self)),
            sellerID: try row.decode(column: "ticket_user_id", as: String.self),
            version: try row.decode(column: "ticket_version", as: Int.self))
    }

    /// Orders joined with their tickets; add conditions and an order to it.
    static func select(in sql: any SQLDatabase) -> SQLSelectBuilder {
        var select = sql.select()
        for column in OrderRecord.columns {
            select = select.column(SQLColumn(column, table: OrderRecord.table))
        }
        for column in ["title", "price_cents", "user_id", "version"] {
            select = select.column(SQLColumn(column, table: TicketReplica.table), as: "ticket_\(column)")
        }
        return select.from(OrderRecord.table)
            .join(
                TicketReplica.table, on: SQLColumn("id", table: TicketReplica.table), .equal,
                SQLColumn("ticket_id", table: OrderRecord.table))
    }

    /// The order `id` with its ticket, or `nil`.
    static func find(id: String, in sql: any SQLDatabase) async throws -> PlacedOrder? {
        try await select(in: sql).where(SQLColumn("id", table: OrderRecord.table), .equal, SQLBind(id)).first()
            .map(PlacedOrder.init(row:))
    }

    /// The order as clients see it.
    var body: OrderBody {
        OrderBody(
            id: order.id, userId: order.buyerID, status: order.status, expiresAt: order.expiresAt.iso8601,
            version: order.version,
            ticket: OrderBody.Ticket(id: ticket.id, title: ticket.title, price: ticket.price, version: ticket.version))
    }
}

/// An order on the wire: `{id, userId, status, expiresAt, version, ticket: {id, title, price, version}}`.
struct OrderBody: Codable, Sendable, Equatable {
    /// The ordered ticket as the order shows it.
    struct Ticket: Codable, Sendable, Equatable {
        var id: String
        var title: String
        var price: Price
        var version: Int
    }

    var id: String
    var userId: String
    var status: OrderStatus
    var expiresAt: String
    var version: Int
    var ticket: Ticket
}
