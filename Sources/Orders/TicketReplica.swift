import Contracts
import FunctionKit
import SQLKit

/// The orders service's copy of a ticket, kept up to date from `ticket:created` and `ticket:updated`.
struct TicketReplica: Sendable, Equatable {
    static let table = "ticket_replicas"
    static let columns = ["id", "title", "price_cents", "user_id", "version"]

    var id: String
    var title: String
    var price: Price
    /// The seller.
    var sellerID: String
    var version: Int

    init(id: String, title: String, price: Price, sellerID: String, version: Int) {
        self.id = id
        self.title = title
        self.price = price
        self.sellerID = sellerID
        self.version = version
    }

    init(row: any SQLRow) throws {
        id = try row.decode(column: "id", as: String.self)
        title = try row.decode(column: "title", as: String.self)
        price = Price(cents: try row.decode(column: "price_cents", as: Int.self))
        sellerID = try row.decode(column: "user_id", as: String.self)
        version = try row.decode(column: "version", as: Int.self)
    }

    /// The replica of ticket `id`, or `nil` when orders has not heard of it.
    static func find(id: String, in sql: any SQLDatabase) async throws -> TicketReplica? {
        try await sql.select().columns(columns.map { SQLColumn($0) }).from(table).where("id", .equal, id).first()
            .map(TicketReplica.init(row:))
    }
}
