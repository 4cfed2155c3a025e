import FunctionKit
import SQLKit

/// The payment window of each order the expiration service scheduled, and whether payments has closed it.
///
/// Orders cancels an order on `expiration:complete`, while `payment:created` reaches it through another
/// subscription; so `expiration:complete` is published only once payments has closed the window with the
/// order unpaid (`payment:expired`). After that no charge can pay the order, and none that was made before
/// it can still be on its way.
enum PaymentWindows {
    static let table = "payment_windows"

    /// Where an order's window stands.
    enum State: Equatable {
        /// Scheduled here; payments has not closed it yet.
        case open
        /// Payments closed it with the order unpaid.
        case closed
        /// Not scheduled here: an order whose timer was set before windows were kept, or a firing invoked by
        /// hand. Its expiry is published as it always was.
        case unknown
    }

    /// Opens the window of order `orderID`; an existing one is left as it is.
    static func open(_ orderID: String, at time: Int64, in sql: any SQLDatabase) async throws {
        try await sql.insert(into: table)
            .columns("order_id", "opened_at", "closed_at")
            .values(SQLBind(orderID), SQLBind(time), SQLLiteral.null)
            .ignoringConflicts(with: ["order_id"])
            .run()
    }

    /// Records that payments closed the window of order `orderID`, opened here or not.
    static func close(_ orderID: String, at time: Int64, in sql: any SQLDatabase) async throws {
        try await sql.insert(into: table)
            .columns("order_id", "opened_at", "closed_at")
            .values(SQLBind(orderID), SQLBind(time), SQLBind(time))
            .onConflict(with: ["order_id"]) { $0.set("closed_at", to: time) }
            .run()
    }

    /// Where the window of order `orderID` stands.
    static func state(of orderID: String, in sql: any SQLDatabase) async throws -> State {
        guard
            let row = try await sql.select().column("closed_at").from(table).where("order_id", .equal, orderID).first()
        else { return .unknown }
        return try row.decodeNil(column: "closed_at") ? .open : .closed
    }
}
