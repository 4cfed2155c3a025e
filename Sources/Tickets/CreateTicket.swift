import Contracts
import Foundation
import FunctionKit
import SQLKit

/// `tickets-create`: `POST /api/tickets` lists a ticket for sale and publishes `ticket:created`.
public struct CreateTicket: HTTPFunction {
    /// Creates the function.
    public init() {}

    public func handle(_ request: HTTPRequest, context: FunctionContext) async throws -> HTTPResponse {
        let seller = try context.requireSession()
        let input = try TicketInput(from: request)
        let id = UUID.random().lowercasedString
        let ticket = try await context.transaction { transaction in
            let row = try await Self.insert.query(
                id, input.title, input.title.lowercased(), input.price.cents, seller.id, 0,
                transaction.now.epochMilliseconds, on: transaction.sql
            ).first()
            guard let row else { throw FunctionError.badRequest("Ticket was not stored") }
            let ticket = try TicketRecord(row: row)
            try await transaction.publish(
                TicketCreated(
                    id: ticket.id, version: ticket.version, title: ticket.title, price: ticket.price,
                    userId: ticket.userID))
            return ticket
        }
        return try .json(201, ticket.body)
    }

    private static let insert = SQLTemplate(
        """
        INSERT INTO \(TicketRecord.table) (id, title, title_search, price_cents, user_id, version, created_at) \
        VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING \(TicketRecord.columnList)
        """)
}
