import FunctionKit
import Stripe

/// `payments-reconcile`: settles a payment attempt that nobody finished — the request died with the
/// process, ran past its time-out, or lost Stripe's answer and the buyer never tried again.
///
/// It is scheduled by the claim itself, in the same transaction, so no attempt can be forgotten. It sends
/// the attempt's request again under the same idempotency key: if Stripe made the charge it returns that
/// charge, which is then recorded exactly as `payments-create` would have (the order is paid, or the charge
/// is refunded if the order is no longer payable); if the card was refused the attempt simply ends. While
/// Stripe cannot answer, the invocation is retried with backoff, and only the same card can pay meanwhile.
public struct ReconcilePayment: ScheduledFunction {
    /// The function's name in the manifest.
    static let name = "payments-reconcile"

    /// The order whose attempt to settle.
    public struct Payload: Codable, Sendable {
        /// The order's id.
        public var orderId: String
    }

    let stripe: any StripeClient

    /// Creates the function.
    public init(stripe: any StripeClient) {
        self.stripe = stripe
    }

    public func handle(_ payload: Payload, event: CloudEvent, context: FunctionContext) async throws {
        guard let attempt = try await context.read({ try await PaymentAttempt.find(orderID: payload.orderId, in: $0) })
        else { return }
        let charge: Charge
        do {
            charge = try await stripe.charge(attempt.charge)
        } catch StripeError.cardDeclined, StripeError.invalidRequest {
            context.logger.info("an unfinished payment attempt was refused", metadata: ["order": "\(payload.orderId)"])
            try await context.transaction { try await attempt.finish(in: $0) }
            return
        } catch let error as StripeError {
            throw FunctionError.unavailable("Stripe did not settle the attempt on order \(payload.orderId): \(error)")
        }
        let settlement = try await context.transaction { transaction in
            try await PaymentLedger.settle(charge, of: attempt, in: transaction)
        }
        switch settlement {
        case .paid(let payment):
            context.logger.info(
                "an unfinished payment attempt had charged; the order is paid",
                metadata: ["order": "\(payload.orderId)", "charge": "\(payment.stripeID)"])
        case .refunding(let payment, let reason):
            context.logger.warning(
                "an unfinished payment attempt had charged an order it cannot pay; refunding",
                metadata: ["order": "\(payload.orderId)", "charge": "\(payment.stripeID)", "reason": "\(reason)"])
        }
    }
}
