import Crypto
import Foundation
import FunctionKit
import SQLKit
import Stripe

/// An attempt to pay an order whose outcome is not known yet: at most one per order at a time (the primary
/// key says so), claimed in the payments database before Stripe is called, so two requests racing with
/// different cards cannot both charge.
///
/// The attempt keeps exactly what was sent to Stripe, so that the same card resuming it — or
/// ``ReconcilePayment`` after a crash or a time-out — replays the same request under the same idempotency
/// key and learns its outcome without charging twice.
struct PaymentAttempt: Sendable, Equatable {
    static let table = "payment_attempts"
    /// How long after a claim ``ReconcilePayment`` settles an attempt nobody finished: longer than
    /// `payments-create` may run (120 s) plus a Stripe call it may have left in flight when it was abandoned
    /// (the live client's longest, 55 s), so it never races a request that is still waiting for Stripe.
    static let reconcileAfter: TimeInterval = 180

    var orderID: String
    var token: String
    /// The amount in the currency's minor units.
    var amount: Int
    var currency: String

    /// The Stripe request this attempt makes, the same every time it is sent.
    var charge: ChargeRequest {
        ChargeRequest(
            amount: amount, currency: currency, token: token, description: "Ticketing order \(orderID)",
            metadata: ["orderId": orderID], idempotencyKey: Self.idempotencyKey(orderID: orderID, token: token))
    }

    /// The key of one payment attempt: the order and (a digest of) the token.
    static func idempotencyKey(orderID: String, token: String) -> String {
        let digest = SHA256.hash(data: Data(token.utf8)).prefix(12).map { String(format: "%02x", $0) }.joined()
        return "payment-\(orderID)-\(digest)"
    }

    /// The timer that settles the attempt if nobody else does.
    static func reconcileKey(orderID: String) -> String {
        "reconcile-\(orderID)"
    }

    /// The unfinished attempt on order `orderID`, if there is one.
    static func find(orderID: String, in sql: any SQLDatabase) async throws -> PaymentAttempt? {
        guard
            let row = try await sql.select().columns("order_id", "token", "amount", "currency").from(table)
                .where("order_id", .equal, orderID).first()
        else { return nil }
        return PaymentAttempt(
            orderID: try row.decode(column: "order_id", as: String.self),
            token: try row.decode(column: "token", as: String.self),
            amount: try row.decode(column: "amount", as: Int.self),
            currency: try row.decode(column: "currency", as: String.self))
    }

    /// Claims order `orderID` for a payment with `token` by `buyerID`, or says why it cannot be paid, in SPEC
    /// order: 404, 401 not the buyer, 400 cancelled, 400 expired, 400 already paid, 400 price not chargeable,
    /// then 409 while another card's attempt is unfinished. The same card resumes its own attempt.
    ///
    /// The claim row is written before the "already paid" check, in one transaction: on a database that lets
    /// two transactions run at once, a racing payment's commit (which ends its attempt and records the
    /// charge together) is then either seen by the check or blocks the insert until it is, so an order
    /// already paid is never claimed again. The claim also schedules
    /// ``ReconcilePayment``, so an attempt cut short by a crash or a time-out is settled all the same.
    static func claim(
        orderID: String, token: String, buyerID: String, currency: String, in transaction: Transaction
    ) async throws -> PaymentAttempt {
        let order = try await OrderReplica.find(id: orderID, in: transaction.sql, locking: true)
        guard let order else { throw FunctionError.notFound }
        guard order.buyerID == buyerID else { throw FunctionError.notAuthorized }
        guard order.status != .cancelled else { throw FunctionError.badRequest("Cannot pay for an cancelled order") }
        guard transaction.now < order.expiresAt else { throw FunctionError.badRequest("Order has expired") }
        let amount = StripeAmount.minorUnits(order.price.decimal, currency: currency)
        let claimed = try await transaction.sql.insert(into: table)
            .columns("order_id", "token", "amount", "currency", "started_at")
            .values(
                SQLBind(orderID), SQLBind(token), SQLBind(amount ?? 0), SQLBind(currency),
                SQLBind(transaction.now.epochMilliseconds)
            )
            .ignoringConflicts(with: ["order_id"])
            .returning("order_id")
            .all()
        if try await PaymentRecord.paid(orderID: orderID, in: transaction.sql) != nil {
            throw FunctionError.badRequest("Order is already paid")
        }
        guard let amount else {
            throw FunctionError.badRequest("The order's price cannot be charged in \(currency.uppercased())")
        }
        let attempt: PaymentAttempt
        if claimed.isEmpty {
            guard let held = try await find(orderID: orderID, in: transaction.sql), held.token == token else {
                throw FunctionError.conflict("A payment for this order is already in progress")
            }
            attempt = held
        } else {
            attempt = PaymentAttempt(orderID: orderID, token: token, amount: amount, currency: currency)
        }
        try await transaction.schedule(
            ReconcilePayment.name, payload: ReconcilePayment.Payload(orderId: orderID),
            at: transaction.now.addingTimeInterval(reconcileAfter), key: reconcileKey(orderID: orderID))
        return attempt
    }

    /// Ends the attempt: its outcome is known (a charge recorded, or a card Stripe refused). If it had already
    /// ended (a repeated request or the reconcile job got there first), nothing changes — in particular the
    /// reconcile timer, which may by now belong to another card's attempt, is left alone.
    func finish(in transaction: Transaction) async throws {
        let ended = try await transaction.sql.delete(from: Self.table)
            .where("order_id", .equal, orderID).where("token", .equal, token)
            .returning("order_id").all()
        guard !ended.isEmpty else { return }
        try await transaction.cancelSchedule(key: Self.reconcileKey(orderID: orderID))
    }
}
