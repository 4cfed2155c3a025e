import Contracts
import Foundation
import FunctionKit
import SQLKit

/// `payments-on-order-created`: keeps a copy of each new order (buyer, price, expiry) to check payments
/// against; an order whose cancellation came first is stored cancelled.
public struct ReplicateNewOrder: EventFunction {
    /// Creates the function.
    public init() {}

    public func handle(_ payload: OrderCreated, event: CloudEvent, context: FunctionContext) async throws {
        guard let expiresAt = Date.parseISO8601(payload.expiresAt) else {
            throw FunctionError.invalidEvent("order \(payload.id) has an unreadable expiresAt '\(payload.expiresAt)'")
        }
        try await context.transaction { transaction in
            try await transaction.sql.insert(into: OrderReplica.table)
                .columns("id", "user_id", "status", "price_cents", "expires_at", "version")
                .values(
                    SQLBind(payload.id), SQLBind(payload.userId), SQLBind(payload.status.rawValue),
                    SQLBind(payload.ticket.price.cents), SQLBind(expiresAt.epochMilliseconds), SQLBind(payload.version)
                )
                .ignoringConflicts(with: ["id"])
                .run()
            try await EarlyCancellations.apply(to: payload.id, in: transaction.sql)
        }
    }
}
