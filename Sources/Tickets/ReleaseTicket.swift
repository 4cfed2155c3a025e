import Contracts
import FunctionKit
import SQLKit

/// `tickets-on-order-cancelled`: releases the ticket the cancelled order held (clears its `orderId`, raises
/// its version by one) and publishes `ticket:updated` without an `orderId`.
///
/// The ticket changes only while that very order holds it. The cancellation is remembered either way (see
/// ``ReleasedOrders``) so that an `order:created` arriving after it reserves nothing.
public struct ReleaseTicket: EventFunction {
    /// Creates the function.
    public init() {}

    public func handle(_ payload: OrderCancelled, event: CloudEvent, context: FunctionContext) async throws {
        try await context.transaction { transaction in
            guard var ticket = try await TicketRecord.find(id: payload.ticket.id, in: transaction.sql) else {
                // Orders are placed only on tickets tickets published: waiting cannot bring this one.
                throw FunctionError.unknownReference("order \(payload.id) is for unknown ticket \(payload.ticket.id)")
            }
            try await ReleasedOrders.record(
                payload.id, ticketID: ticket.id, at: transaction.now.epochMilliseconds, in: transaction.sql)
            guard ticket.orderID == payload.id else { return }
            let released = try await transaction.sql.update(TicketRecord.table)
                .set("order_id", to: SQLLiteral.null)
                .set("version", to: ticket.version + 1)
                .where("id", .equal, ticket.id)
                .where("order_id", .equal, payload.id)
                .returning("id")
                .all()
            guard released.count == 1 else {
                throw FunctionError.retryLater("ticket \(ticket.id) changed while it was being released")
            }
            ticket.orderID = nil
            ticket.version += 1
            try await transaction.publish(ticket.updatedEvent)
        }
    }
}
