import Contracts
import Foundation
import FunctionKit
import SQLKit
import Stripe

/// `payments-create`: `POST /api/payments {orderId, token}` charges the buyer for their order through Stripe
/// and publishes `payment:created`; orders then marks the order `complete`.
///
/// Money rules (SPEC §7):
/// - One attempt per order at a time: the attempt is claimed in the database before Stripe is called, with
///   the order's payability checked in the same transaction, so two requests racing with different cards
///   cannot both charge (the second answers 409, or 400 once the first has paid).
/// - The idempotency key is the order and the token: a retried request (same card) gets Stripe's first
///   answer and is never charged twice; a new token after a decline is a new attempt.
/// - When Stripe's answer is lost (unreachable, a crash, a time-out), only the same card may resume the
///   attempt, and `payments-reconcile` settles it if nobody does.
/// - A charge that lands on an order cancelled or paid meanwhile is refunded at once (and durably, through
///   `payments-refund`), and the buyer is told so.
public struct CreatePayment: HTTPFunction {
    let stripe: any StripeClient
    let currency: String

    /// Creates the function, charging through `stripe` in `currency`.
    public init(stripe: any StripeClient, currency: String = PaymentsService.defaultCurrency) {
        self.stripe = stripe
        self.currency = currency.lowercased()
    }

    public func handle(_ request: HTTPRequest, context: FunctionContext) async throws -> HTTPResponse {
        let buyer = try context.requireSession()
        var body = try request.jsonObject()
        let orderID = body.string("orderId", "Order id is required")
        let token = body.string("token", "Token is required")
        try body.check()
        guard let orderID, let token else { throw FunctionError.badRequest("Invalid payment") }

        let currency = self.currency
        let attempt = try await context.transaction { transaction in
            try await PaymentAttempt.claim(
                orderID: orderID, token: token, buyerID: buyer.id, currency: currency, in: transaction)
        }
        let charge: Charge
        do {
            charge = try await stripe.charge(attempt.charge)
        } catch let error as StripeError {
            throw try await failed(error, attempt: attempt, context: context)
        }
        context.logger.info(
            "charged", metadata: ["order": "\(orderID)", "charge": "\(charge.id)", "amount": "\(charge.amount)"])
        let settlement = try await context.transaction { transaction in
            try await PaymentLedger.settle(charge, of: attempt, in: transaction)
        }
        switch settlement {
        case .paid(let payment):
            return try .json(201, payment.body)
        case .refunding(let payment, let reason):
            // Refund now so the buyer hears it in this answer; the scheduled refund finds it done.
            do {
                let made = try await RefundPayment.refund(payment, through: stripe)
                context.logger.info(
                    "refunded a charge on an order it cannot pay",
                    metadata: ["charge": "\(payment.stripeID)", "refund": "\(made?.id ?? "already refunded")"])
                throw FunctionError.badRequest("\(reason); the charge was refunded")
            } catch let error as StripeError {
                context.logger.warning(
                    "refund failed; payments-refund will retry",
                    metadata: ["charge": "\(payment.stripeID)", "error": "\(error)"])
                throw FunctionError.badRequest("\(reason); the charge is being refunded")
            }
        }
    }

    /// Ends the attempt after Stripe refused it and says why: a declined card is 402 with Stripe's message
    /// and code; a request Stripe calls invalid (e.g. an unknown token) is a field error. When the outcome is
    /// unknown (Stripe unreachable), the attempt stays claimed so that only the same token resumes it, and
    /// `payments-reconcile` settles it if the buyer does not.
    private func failed(_ error: StripeError, attempt: PaymentAttempt, context: FunctionContext) async throws
        -> FunctionError
    {
        switch error {
        case .cardDeclined(let message, _, _):
            try await context.transaction { try await attempt.finish(in: $0) }
            return .paymentRequired(message: message, code: error.clientCode)
        case .invalidRequest(let message, let code, let param):
            try await context.transaction { try await attempt.finish(in: $0) }
            // A token or payment method Stripe does not know is the client's `token` field; anything else it
            // refuses (an amount below its minimum, say) is about the order.
            guard param == "source" || param == "payment_method" || code == "resource_missing" else {
                return .badRequest(message)
            }
            return .validation([ErrorDetail(message: message, field: "token")])
        case .authentication, .rateLimited, .api, .connection, .unexpectedResponse:
            context.logger.error(
                "payment provider failed", metadata: ["order": "\(attempt.orderID)", "error": "\(error)"])
            return .unavailable("The payment provider is unavailable; try again with the same card")
        }
    }
}
