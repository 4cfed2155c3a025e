import FunctionKit
import SQLKit

/// The orders whose `order:cancelled` the tickets service has seen.
///
/// `order:created` and `order:cancelled` reach the tickets service through separate subscriptions, so a
/// cancellation may arrive before the creation of its order. Remembering cancelled orders lets a late
/// `order:created` pass without reserving the ticket for an order that is gone.
enum ReleasedOrders {
    static let table = "released_orders"

    /// Remembers that order `orderID` (on ticket `ticketID`) was cancelled.
    static func record(_ orderID: String, ticketID: String, at time: Int64, in sql: any SQLDatabase) async throws {
        try await sql.insert(into: table)
            .columns("order_id", "ticket_id", "released_at")
            .values(SQLBind(orderID), SQLBind(ticketID), SQLBind(time))
            .ignoringConflicts(with: ["order_id"])
            .run()
    }

    /// Whether order `orderID` was cancelled.
    static func contains(_ orderID: String, in sql: any SQLDatabase) async throws -> Bool {
        try await sql.select().column("order_id").from(table).where("order_id", .equal, orderID).first() != nil
    }
}
