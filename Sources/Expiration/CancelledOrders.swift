import FunctionKit
import SQLKit

/// The orders whose `order:cancelled` the expiration service has seen.
///
/// `order:created` and `order:cancelled` arrive through separate subscriptions, so a cancellation may come
/// first; remembering it keeps a late `order:created` from scheduling a timer for an order that is gone.
enum CancelledOrders {
    static let table = "cancelled_orders"

    /// Remembers that order `orderID` was cancelled.
    static func record(_ orderID: String, at time: Int64, in sql: any SQLDatabase) async throws {
        try await sql.insert(into: table)
            .columns("order_id", "cancelled_at")
            .values(SQLBind(orderID), SQLBind(time))
            .ignoringConflicts(with: ["order_id"])
            .run()
    }

    /// Whether order `orderID` was cancelled.
    static func contains(_ orderID: String, in sql: any SQLDatabase) async throws -> Bool {
        try await sql.select().column("order_id").from(table).where("order_id", .equal, orderID).first() != nil
    }
}
