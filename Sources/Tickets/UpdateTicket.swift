import Contracts
import FunctionKit
import SQLKit

/// `tickets-update`: `PUT /api/tickets/{id}` lets the owner edit an unreserved ticket; publishes
/// `ticket:updated` with the version raised by one.
public struct UpdateTicket: HTTPFunction {
    /// Creates the function.
    public init() {}

    public func handle(_ request: HTTPRequest, context: FunctionContext) async throws -> HTTPResponse {
        let user = try context.requireSession()
        let input = try TicketInput(from: request)
        guard let id = request.pathParameters["id"] else { throw FunctionError.notFound }
        let ticket = try await context.transaction { transaction in
            guard var ticket = try await TicketRecord.find(id: id, in: transaction.sql) else {
                throw FunctionError.notFound
            }
            guard ticket.userID == user.id else { throw FunctionError.notAuthorized }
            guard ticket.orderID == nil else { throw FunctionError.badRequest("Cannot edit a reserved ticket") }
            let updated = try await transaction.sql.update(TicketRecord.table)
                .set("title", to: input.title)
                .set("title_search", to: input.title.lowercased())
                .set("price_cents", to: input.price.cents)
                .set("version", to: ticket.version + 1)
                .where("id", .equal, id)
                .where("version", .equal, ticket.version)
                .where("order_id", .is, SQLLiteral.null)
                .returning("id")
                .all()
            // The row was read in this transaction; a miss means another writer got there first.
            guard updated.count == 1 else { throw FunctionError.badRequest("Cannot edit a reserved ticket") }
            ticket.title = input.title
            ticket.price = input.price
            ticket.version += 1
            try await transaction.publish(ticket.updatedEvent)
            return ticket
        }
        return try .json(200, ticket.body)
    }
}
