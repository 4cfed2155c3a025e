import Contracts
import FunctionKit

/// `orders-cancel`: `DELETE /api/orders/{id}` lets the buyer cancel an order that is not complete; answers 204
/// and publishes `order:cancelled` with the version raised by one. Cancelling a cancelled order answers 204
/// again and publishes nothing.
public struct CancelOrder: HTTPFunction {
    /// Creates the function.
    public init() {}

    public func handle(_ request: HTTPRequest, context: FunctionContext) async throws -> HTTPResponse {
        let user = try context.requireSession()
        guard let id = request.pathParameters["id"] else { throw FunctionError.notFound }
        try await context.transaction { transaction in
            // Change first, in one statement; only when nothing changed, find out why.
            if let cancelled = try await OrderRecord.transition(
                id, from: [.created, .awaitingPayment], to: .cancelled, buyerID: user.id, in: transaction.sql)
            {
                try await transaction.publish(cancelled.cancelledEvent)
                return
            }
            guard let order = try await OrderRecord.find(id: id, in: transaction.sql) else {
                throw FunctionError.notFound
            }
            guard order.buyerID == user.id else { throw FunctionError.notAuthorized }
            switch order.status {
            case .complete:
                throw FunctionError.badRequest("Cannot cancel a completed order")
            case .cancelled:
                return
            case .created, .awaitingPayment:
                // Only reachable if another writer changed the order between the two statements.
                throw FunctionError.retryLater("The order changed while it was being cancelled; try again")
            }
        }
        return .empty(204)
    }
}
