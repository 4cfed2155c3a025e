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
    static func find(id: String, in sql: any SQLDatabase) async throws -> OrderReplica? {
        try await sql.select().columns(columns.map { SQLColumn($0) }).from(table).where("id", .equal, id).first()
            .map(OrderReplica.init(row:))
    }
}
