import Contracts
import Foundation
import FunctionKit
import SQLKit

/// `orders-create`: `POST /api/orders {ticketId}` places an order that locks the ticket until `expiresAt`,
/// and publishes `order:created`.
///
/// One ticket has at most one live order: the partial unique index `orders_one_live_order_per_ticket`
/// guarantees it under any concurrency. The insert skips a row that would break it (`ON CONFLICT DO
/// NOTHING`), and an insert that stored nothing answers `Ticket is already reserved`; there is no
/// check-then-insert.
public struct CreateOrder: HTTPFunction {
    /// How long the order locks its ticket, in seconds.
    public let expirationWindow: TimeInterval

    /// Creates the function with orders expiring `expirationWindow` seconds after they are placed.
    public init(expirationWindow: TimeInterval = OrdersService.defaultExpirationWindow) {
        self.expirationWindow = expirationWindow
    }

    public func handle(_ request: HTTPRequest, context: FunctionContext) async throws -> HTTPResponse {
        let buyer = try context.requireSession()
        var body = try request.jsonObject()
        let ticketID = body.string("ticketId", "Ticket id is required")
        try body.check()
        guard let ticketID else {
            throw FunctionError.validation([ErrorDetail(message: "Ticket id is required", field: "ticketId")])
        }
        let id = UUID.random().lowercasedString
        let window = expirationWindow
        let placed = try await context.transaction { transaction in
            guard let ticket = try await TicketReplica.find(id: ticketID, in: transaction.sql) else {
                throw FunctionError.notFound
            }
            guard ticket.sellerID != buyer.id else { throw FunctionError.forbidden("Cannot order your own ticket") }
            let expiresAt = Date(epochMilliseconds: transaction.now.addingTimeInterval(window).epochMilliseconds)
            let stored = try await transaction.sql.insert(into: OrderRecord.table)
                .columns("id", "user_id", "ticket_id", "status", "expires_at", "version", "created_at")
                .values(
                    SQLBind(id), SQLBind(buyer.id), SQLBind(ticket.id), SQLBind(OrderStatus.created.rawValue),
                    SQLBind(expiresAt.epochMilliseconds), SQLBind(0), SQLBind(transaction.now.epochMilliseconds)
                )
                .ignoringConflicts()
                .returning(OrderRecord.columns.map { SQLColumn($0) })
                .all()
            guard let row = stored.first else { throw FunctionError.badRequest("Ticket is already reserved") }
            let order = try OrderRecord(row: row)
            try await transaction.publish(
                OrderCreated(
                    id: order.id, version: order.version, status: order.status, userId: order.buyerID,
                    expiresAt: order.expiresAt.iso8601, ticket: OrderCreated.Ticket(id: ticket.id, price: ticket.price)
                ))
            return PlacedOrder(order: order, ticket: ticket)
        }
        return try .json(201, placed.body)
    }
}
