import Foundation
import FunctionKit
import SQLKit

/// A charge that succeeded at Stripe, and what became of it. Every charge that lands is recorded: the one
/// that pays its order (`succeeded`), and any that must be given back (`refunding`, then `refunded`).
struct PaymentRecord: Sendable, Equatable {
    static let table = "payments"
    static let columns = ["id", "order_id", "stripe_id", "amount", "currency", "status", "refund_id"]

    /// Where the money is.
    enum Status: String, Sendable {
        /// Charged, and the order is paid by this charge.
        case succeeded
        /// Charged on an order that is no longer payable (cancelled, or paid by another charge); a refund is
        /// scheduled.
        case refunding
        /// Given back.
        case refunded
    }

    var id: String
    var orderID: String
    var stripeID: String
    var amount: Int
    var currency: String
    var status: Status
    var refundID: String?

    init(row: any SQLRow) throws {
        id = try row.decode(column: "id", as: String.self)
        orderID = try row.decode(column: "order_id", as: String.self)
        stripeID = try row.decode(column: "stripe_id", as: String.self)
        amount = try row.decode(column: "amount", as: Int.self)
        currency = try row.decode(column: "currency", as: String.self)
        status = Status(rawValue: try row.decode(column: "status", as: String.self)) ?? .succeeded
        refundID = try row.decode(column: "refund_id", as: String?.self)
    }

    /// The charge that paid order `orderID`, if it is paid (at most one: a unique index says so).
    static func paid(orderID: String, in sql: any SQLDatabase) async throws -> PaymentRecord? {
        try await sql.select().columns(columns.map { SQLColumn($0) }).from(table).where("order_id", .equal, orderID)
            .where("status", .equal, Status.succeeded.rawValue)
            .first().map(PaymentRecord.init(row:))
    }

    /// The record of Stripe charge `stripeID`, if it was recorded.
    static func find(stripeID: String, in sql: any SQLDatabase) async throws -> PaymentRecord? {
        try await sql.select().columns(columns.map { SQLColumn($0) }).from(table).where("stripe_id", .equal, stripeID)
            .first().map(PaymentRecord.init(row:))
    }

    /// The payment `id`, if there is one.
    static func find(id: String, in sql: any SQLDatabase) async throws -> PaymentRecord? {
        try await sql.select().columns(columns.map { SQLColumn($0) }).from(table).where("id", .equal, id).first()
            .map(PaymentRecord.init(row:))
    }

    /// The payment as clients see it: `{id, orderId, stripeId}`.
    var body: PaymentBody {
        PaymentBody(id: id, orderId: orderID, stripeId: stripeID)
    }
}

/// A payment on the wire.
struct PaymentBody: Codable, Sendable, Equatable {
    var id: String
    var orderId: String
    var stripeId: String
}
