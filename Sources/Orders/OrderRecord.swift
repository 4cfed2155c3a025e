import Contracts
import Foundation
import FunctionKit
import SQLKit

/// An order as the orders service stores it; the service's source of truth.
struct OrderRecord: Sendable, Equatable {
    static let table = "orders"
    static let columns = ["seq", "id", "user_id", "ticket_id", "status", "expires_at", "version"]

    var seq: Int64
    var id: String
    /// The buyer.
    var buyerID: String
    var ticketID: String
    var status: OrderStatus
    var expiresAt: Date
    var version: Int

    init(row: any SQLRow) throws {
        seq = try row.decode(column: "seq", as: Int64.self)
        id = try row.decode(column: "id", as: String.self)
        buyerID = try row.decode(column: "user_id", as: String.self)
        ticketID = try row.decode(column: "ticket_id", as: String.self)
        let status = try row.decode(column: "status", as: String.self)
        guard let known = OrderStatus(rawValue: status) else {
            throw StoredOrderError(description: "order \(id) has an unknown status '\(status)'")
        }
        self.status = known
        expiresAt = Date(epochMilliseconds: try row.decode(column: "expires_at", as: Int64.self))
        version = try row.decode(column: "version", as: Int.self)
    }

    /// The order `id`, or `nil`.
    static func find(id: String, in sql: any SQLDatabase) async throws -> OrderRecord? {
        try await sql.select().columns(columns.map { SQLColumn($0) }).from(table).where("id", .equal, id).first()
            .map(OrderRecord.init(row:))
    }

    /// Moves order `id` from one of `statuses` to `status` and raises its version by one, in one statement, so
    /// no concurrent writer can slip in between a check and the change. With `buyerID`, only that buyer's
    /// order moves. Returns the changed order, or `nil` when nothing matched.
    static func transition(
        _ id: String, from statuses: [OrderStatus], to status: OrderStatus, buyerID: String? = nil,
        in sql: any SQLDatabase
    ) async throws -> OrderRecord? {
        var update = sql.update(table)
            .set("status", to: status.rawValue)
            .set("version", to: SQLBinaryExpression(SQLColumn("version"), .add, SQLLiteral.numeric("1")))
            .where("id", .equal, id)
            .where("status", .in, statuses.map(\.rawValue))
        if let buyerID {
            update = update.where("user_id", .equal, buyerID)
        }
        return try await update.returning(columns.map { SQLColumn($0) }).all().first.map(OrderRecord.init(row:))
    }

    /// The `order:cancelled` payload for the order's current state.
    var cancelledEvent: OrderCancelled {
        OrderCancelled(id: id, version: version, ticket: OrderCancelled.Ticket(id: ticketID))
    }
}

/// A stored row the service cannot read back: a bug or a hand edit, never client input.
struct StoredOrderError: Error, CustomStringConvertible {
    var description: String
}
