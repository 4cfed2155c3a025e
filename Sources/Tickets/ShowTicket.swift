import FunctionKit

/// `tickets-show`: `GET /api/tickets/{id}` answers one ticket; 404 for any id that matches nothing.
public struct ShowTicket: HTTPFunction {
    /// Creates the function.
    public init() {}

    public func handle(_ request: HTTPRequest, context: FunctionContext) async throws -> HTTPResponse {
        guard let id = request.pathParameters["id"],
            let ticket = try await context.read({ try await TicketRecord.find(id: id, in: $0) })
        else { throw FunctionError.notFound }
        return try .json(200, ticket.body)
    }
}
