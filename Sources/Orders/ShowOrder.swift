import FunctionKit

/// `orders-show`: `GET /api/orders/{id}` answers one order to its buyer, or (read-only) to the seller of its
/// ticket; 404 for any id that matches nothing.
public struct ShowOrder: HTTPFunction {
    /// Creates the function.
    public init() {}

    public func handle(_ request: HTTPRequest, context: FunctionContext) async throws -> HTTPResponse {
        let user = try context.requireSession()
        guard let id = request.pathParameters["id"],
            let placed = try await context.read({ try await PlacedOrder.find(id: id, in: $0) })
        else { throw FunctionError.notFound }
        guard placed.order.buyerID == user.id || placed.ticket.sellerID == user.id else {
            throw FunctionError.notAuthorized
        }
        return try .json(200, placed.body)
    }
}
