import FunctionKit
import SQLKit
import Stripe

/// `payments-refund`: gives back a charge that landed on an order no longer payable. Scheduled in the same
/// transaction that found it, so the refund survives a crash; the idempotency key makes a repeated refund
/// return the first one.
public struct RefundPayment: ScheduledFunction {
    /// The payment to refund.
    public struct Payload: Codable, Sendable {
        /// The payment's id.
        public var paymentId: String
    }

    let stripe: any StripeClient

    /// Creates the function.
    public init(stripe: any StripeClient) {
        self.stripe = stripe
    }

    /// Marks `payment` as being refunded and schedules the refund now.
    static func schedule(_ payment: PaymentRecord, in transaction: Transaction) async throws {
        try await transaction.sql.update(PaymentRecord.table)
            .set("status", to: PaymentRecord.Status.refunding.rawValue)
            .where("id", .equal, payment.id)
            .run()
        try await transaction.schedule(
            "payments-refund", payload: Payload(paymentId: payment.id), at: transaction.now,
            key: "refund-\(payment.id)")
    }

    /// Refunds `payment` at Stripe, once whatever the number of calls.
    static func refund(_ payment: PaymentRecord, through stripe: any StripeClient) async throws -> Refund? {
        do {
            return try await stripe.refund(
                RefundRequest(chargeID: payment.stripeID, idempotencyKey: "refund-\(payment.stripeID)"))
        } catch StripeError.invalidRequest(_, let code, _) where code == "charge_already_refunded" {
            return nil
        }
    }

    public func handle(_ payload: Payload, event: CloudEvent, context: FunctionContext) async throws {
        guard
            let payment = try await context.read({ try await PaymentRecord.find(id: payload.paymentId, in: $0) }),
            payment.status == .refunding
        else { return }
        let refund: Refund?
        do {
            refund = try await Self.refund(payment, through: stripe)
        } catch let error as StripeError {
            throw FunctionError.unavailable("refund of \(payment.stripeID) failed: \(error)")
        }
        try await context.transaction { transaction in
            try await transaction.sql.update(PaymentRecord.table)
                .set("status", to: PaymentRecord.Status.refunded.rawValue)
                .set("refund_id", to: refund?.id)
                .where("id", .equal, payment.id)
                .run()
        }
    }
}
