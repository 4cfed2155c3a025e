import Contracts
import Foundation
import FunctionKit
import SQLKit
import Stripe

/// Where a charge that Stripe made goes: it pays its order, or it is given back. Used by `payments-create`
/// when Stripe answers and by `payments-reconcile` when it settles an attempt nobody finished.
enum PaymentLedger {
    /// What became of a charge.
    enum Settlement: Sendable {
        /// The charge pays its order; `payment:created` is published.
        case paid(PaymentRecord)
        /// The charge landed on an order that is no longer payable and is being refunded (`payments-refund`
        /// is scheduled); `reason` says why, for the buyer.
        case refunding(PaymentRecord, reason: String)
    }

    /// Records `charge`, made by `attempt`, and ends the attempt, in one transaction.
    ///
    /// A charge already recorded (a repeated request got Stripe's first answer) settles as it did the first
    /// time. Otherwise it pays the order, unless the order was cancelled meanwhile or is already paid by
    /// another charge: then it is stored as `refunding` and its refund is scheduled in the same transaction,
    /// so that no charge is ever kept on an order it does not pay.
    static func settle(_ charge: Charge, of attempt: PaymentAttempt, in transaction: Transaction) async throws
        -> Settlement
    {
        // The order first, then the attempt: the order a claim locks before it inserts its attempt, so
        // the two never wait on each other the other way round.
        let order = try await OrderReplica.find(id: attempt.orderID, in: transaction.sql, locking: true)
        try await attempt.finish(in: transaction)
        if let recorded = try await PaymentRecord.find(stripeID: charge.id, in: transaction.sql) {
            return recorded.status == .succeeded
                ? .paid(recorded) : .refunding(recorded, reason: "Order is no longer payable")
        }
        let reason: String?
        if order?.status == .cancelled {
            reason = "Order was cancelled"
        } else if try await PaymentRecord.paid(orderID: attempt.orderID, in: transaction.sql) != nil {
            reason = "Order is already paid"
        } else {
            reason = nil
        }
        let payment = try await insert(
            charge, orderID: attempt.orderID, currency: attempt.currency,
            status: reason == nil ? .succeeded : .refunding, in: transaction)
        guard let reason else {
            try await transaction.publish(
                PaymentCreated(id: payment.id, orderId: payment.orderID, stripeId: payment.stripeID))
            return .paid(payment)
        }
        try await RefundPayment.schedule(payment, in: transaction)
        return .refunding(payment, reason: reason)
    }

    private static func insert(
        _ charge: Charge, orderID: String, currency: String, status: PaymentRecord.Status, in transaction: Transaction
    ) async throws -> PaymentRecord {
        let row = try await transaction.sql.insert(into: PaymentRecord.table)
            .columns("id", "order_id", "stripe_id", "amount", "currency", "status", "created_at")
            .values(
                SQLBind(UUID.random().lowercasedString), SQLBind(orderID), SQLBind(charge.id), SQLBind(charge.amount),
                SQLBind(currency), SQLBind(status.rawValue), SQLBind(transaction.now.epochMilliseconds)
            )
            .returning(PaymentRecord.columns.map { SQLColumn($0) })
            .first()
        guard let row else { throw FunctionError.unavailable("The payment was not stored") }
        return try PaymentRecord(row: row)
    }
}
