import Contracts
import Foundation
import FunctionKit
import SQLKit

/// The payments service's copy of an order, kept from `order:created` and `order:cancelled`.
struct OrderReplica: Sendable, Equatable {
    static let table = "order_replicas"
    static let columns = ["id", "user_id", "status", "price_cents", "expires_at", "version"]

    var id: String
    /// The buyer.
    var buyerID: String
    var status: OrderStatus
    var price: Price
    var expiresAt: Date
    var version: Int

    init(row: any SQLRow) throws {
        id = try row.decode(column: "id", as: String.self)
        buyerID = try row.decode(column: "user_id", as: String.self)
        let status = try row.decode(column: "status", as: String.self)
        self.status = OrderStatus(rawValue: status) ?? .cancelled
        price = Price(cents: try row.decode(column: "price_cents", as: Int.self))
        expiresAt = Date(epochMilliseconds: try row.decode(column: "expires_at", as: Int64.self))
        version = try row.decode(column: "version", as: Int.self)
    }

    /// The replica of order `id`, or `nil` when payments has not heard of it.
    ///
    /// With `locking`, the row stays locked until the transaction ends (`FOR UPDATE`, where the database has
    /// row locks): a charge being recorded and the order's cancellation then take turns, so whichever
    /// commits second sees the other — the charge is refunded, or the cancellation schedules its refund.
    static func find(id: String, in sql: any SQLDatabase, locking: Bool = false) async throws -> OrderReplica? {
        let select = sql.select().columns(columns.map { SQLColumn($0) }).from(table).where("id", .equal, id)
        if locking { select.for(.update) }
        return try await select.first().map(OrderReplica.init(row:))
    }
}
