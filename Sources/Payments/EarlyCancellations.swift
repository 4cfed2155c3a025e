import Contracts
import FunctionKit
import SQLKit

/// Cancellations that reached payments before their order did (`order:created` and `order:cancelled` come
/// through separate subscriptions), and payment windows closed before it did (``ClosePaymentWindow``, at
/// version 0). Remembered here so that the order is stored cancelled when it arrives, instead of the
/// cancellation waiting for it and holding up every cancellation after it.
enum EarlyCancellations {
    static let table = "early_cancellations"

    /// Remembers that order `orderID` was cancelled at `version`; of two such records the newer version is
    /// kept.
    static func record(_ orderID: String, version: Int, at now: Int64, in sql: any SQLDatabase) async throws {
        try await sql.insert(into: table)
            .columns("order_id", "version", "recorded_at")
            .values(SQLBind(orderID), SQLBind(version), SQLBind(now))
            .ignoringConflicts(with: ["order_id"])
            .run()
        try await sql.update(table)
            .set("version", to: version)
            .where("order_id", .equal, orderID)
            .where("version", .lessThan, version)
            .run()
    }

    /// Applies a remembered cancellation of order `orderID` to its newly stored copy, and forgets it.
    static func apply(to orderID: String, in sql: any SQLDatabase) async throws {
        let rows = try await sql.delete(from: table).where("order_id", .equal, orderID)
            .returning("version").all()
        guard let version = try rows.first?.decode(column: "version", as: Int.self) else { return }
        try await sql.update(OrderReplica.table)
            .set("status", to: OrderStatus.cancelled.rawValue)
            .set("version", to: version)
            .where("id", .equal, orderID)
            .where("version", .lessThanOrEqual, version)
            .run()
    }
}
