import Contracts
import FunctionKit
import SQLKit

/// `tickets-on-order-created`: reserves the ordered ticket for the order (sets its `orderId`, raises its
/// version by one) and publishes `ticket:updated` with the `orderId`.
///
/// - An order already cancelled (its `order:cancelled` came first) reserves nothing.
/// - A ticket the service does not have fails (and is dead-lettered once its attempts are used up): orders
///   only places orders on tickets this service published, so waiting cannot bring it.
/// - A ticket held by another order is deferred (retried later, never dead-lettered for it). The orders service
///   lets a ticket have one live order at a time, so of two orders on one ticket, one is cancelled and its
///   `order:cancelled` is already on its way: once it arrives, the retry either reserves the ticket (the
///   holder was released) or passes (this order was the cancelled one). Succeeding without reserving would
///   leave a live order's ticket unreserved.
public struct ReserveTicket: EventFunction {
    /// Creates the function.
    public init() {}

    public func handle(_ payload: OrderCreated, event: CloudEvent, context: FunctionContext) async throws {
        try await context.transaction { transaction in
            if try await ReleasedOrders.contains(payload.id, in: transaction.sql) {
                context.logger.info(
                    "order was cancelled before it reached tickets", metadata: ["order": "\(payload.id)"])
                return
            }
            guard var ticket = try await TicketRecord.find(id: payload.ticket.id, in: transaction.sql) else {
                // Orders are placed only on tickets tickets published: waiting cannot bring this one.
                throw FunctionError.unknownReference("order \(payload.id) is for unknown ticket \(payload.ticket.id)")
            }
            if ticket.orderID == payload.id { return }
            if let holder = ticket.orderID {
                throw FunctionError.retryLater(
                    "ticket \(ticket.id) is held by order \(holder); order \(payload.id) waits for one to be cancelled")
            }
            let reserved = try await transaction.sql.update(TicketRecord.table)
                .set("order_id", to: payload.id)
                .set("version", to: ticket.version + 1)
                .where("id", .equal, ticket.id)
                .where("version", .equal, ticket.version)
                .where("order_id", .is, SQLLiteral.null)
                .returning("id")
                .all()
            guard reserved.count == 1 else {
                throw FunctionError.retryLater("ticket \(ticket.id) changed while it was being reserved")
            }
            ticket.orderID = payload.id
            ticket.version += 1
            try await transaction.publish(ticket.updatedEvent)
        }
    }
}
