import FunctionKit
import SQLKit

/// `orders-list`: `GET /api/orders` answers the caller's orders, every status, oldest first, each with its
/// ticket; with `?role=seller`, the orders placed on the caller's tickets (their sales) instead.
public struct ListOrders: HTTPFunction {
    /// Whose orders to list.
    enum Role: String, Sendable {
        /// The orders the caller placed (the default).
        case buyer
        /// The orders placed on the caller's tickets.
        case seller

        init(_ parameters: [String: String]) throws {
            // An empty `role=` names no role: refused like any other, not taken for the default.
            guard let raw = parameters["role"] else {
                self = .buyer
                return
            }
            guard let role = Role(rawValue: raw) else {
                throw FunctionError.validation([ErrorDetail(message: "Role must be buyer or seller", field: "role")])
            }
            self = role
        }
    }

    /// Creates the function.
    public init() {}

    public func handle(_ request: HTTPRequest, context: FunctionContext) async throws -> HTTPResponse {
        let user = try context.requireSession()
        let role = try Role(request.queryStringParameters)
        let owner =
            switch role {
            case .buyer: SQLColumn("user_id", table: OrderRecord.table)
            case .seller: SQLColumn("user_id", table: TicketReplica.table)
            }
        let orders = try await context.read { sql in
            try await PlacedOrder.select(in: sql)
                .where(owner, .equal, SQLBind(user.id))
                .orderBy(SQLColumn("seq", table: OrderRecord.table))
                .all()
                .map(PlacedOrder.init(row:))
        }
        return try .json(200, orders.map(\.body))
    }
}
