import Contracts
import Crypto
import Foundation
import FunctionKit
import SQLKit
import Stripe

/// `payments-create`: `POST /api/payments {orderId, token}` charges the buyer for their order through Stripe
/// and publishes `payment:created`; orders then marks the order `complete`.
///
/// Money rules (SPEC §7):
/// - One attempt per order at a time: the attempt is claimed in the database before Stripe is called, so
///   two requests racing with different cards cannot both charge (the second answers 409).
/// - The idempotency key is the order and the token: a retried request (same card) gets Stripe's first
///   answer and is never charged twice; a new token after a decline is a new attempt.
/// - A charge that lands on an order cancelled meanwhile is refunded at once (and durably, through
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

        let order = try await context.read { try await OrderReplica.find(id: orderID, in: $0) }
        guard let order else { throw FunctionError.notFound }
        guard order.buyerID == buyer.id else { throw FunctionError.notAuthorized }
        guard order.status != .cancelled else { throw FunctionError.badRequest("Cannot pay for an cancelled order") }
        guard context.now < order.expiresAt else { throw FunctionError.badRequest("Order has expired") }
        if try await context.read({ try await PaymentRecord.find(orderID: orderID, in: $0) }) != nil {
            throw FunctionError.badRequest("Order is already paid")
        }
        guard let amount = StripeAmount.minorUnits(order.price.decimal, currency: currency) else {
            throw FunctionError.badRequest("The order's price cannot be charged in \(currency.uppercased())")
        }

        try await claimAttempt(orderID: orderID, token: token, context: context)
        let charge: Charge
        do {
            charge = try await stripe.charge(
                ChargeRequest(
                    amount: amount, currency: currency, token: token, description: "Ticketing order \(orderID)",
                    metadata: ["orderId": orderID], idempotencyKey: Self.idempotencyKey(orderID: orderID, token: token))
            )
        } catch let error as StripeError {
            throw try await failed(error, orderID: orderID, context: context)
        }
        context.logger.info(
            "charged", metadata: ["order": "\(orderID)", "charge": "\(charge.id)", "amount": "\(charge.amount)"])
        return try await record(charge, order: order, context: context)
    }

    /// The key of one payment attempt: the order and (a digest of) the token.
    static func idempotencyKey(orderID: String, token: String) -> String {
        let digest = SHA256.hash(data: Data(token.utf8)).prefix(12).map { String(format: "%02x", $0) }.joined()
        return "payment-\(orderID)-\(digest)"
    }

    /// Claims the order's one attempt. The same token may resume its own unfinished attempt (Stripe answers
    /// it from the idempotency key); another token waits until that attempt is over.
    private func claimAttempt(orderID: String, token: String, context: FunctionContext) async throws {
        try await context.transaction { transaction in
            let claimed = try await transaction.sql.insert(into: PaymentAttempt.table)
                .columns("order_id", "token", "started_at")
                .values(SQLBind(orderID), SQLBind(token), SQLBind(transaction.now.epochMilliseconds))
                .ignoringConflicts(with: ["order_id"])
                .returning("order_id")
                .all()
            guard claimed.isEmpty else { return }
            let holder = try await transaction.sql.select().column("token").from(PaymentAttempt.table)
                .where("order_id", .equal, orderID).first()?.decode(column: "token", as: String.self)
            guard holder == token else {
                throw FunctionError.conflict("A payment for this order is already in progress")
            }
        }
    }

    /// Ends the attempt after Stripe refused it and says why: a declined card is 402 with Stripe's message
    /// and code; a request Stripe calls invalid (e.g. an unknown token) is a field error. When the outcome is
    /// unknown (Stripe unreachable), the attempt stays claimed so that only the same token resumes it.
    private func failed(_ error: StripeError, orderID: String, context: FunctionContext) async throws -> FunctionError {
        switch error {
        case .cardDeclined(let message, _, _):
            try await releaseAttempt(orderID: orderID, context: context)
            return .paymentRequired(message: message, code: error.clientCode)
        case .invalidRequest(let message, let code, let param):
            try await releaseAttempt(orderID: orderID, context: context)
            // A token or payment method Stripe does not know is the client's `token` field; anything else it
            // refuses (an amount below its minimum, say) is about the order.
            guard param == "source" || param == "payment_method" || code == "resource_missing" else {
                return .badRequest(message)
            }
            return .validation([ErrorDetail(message: message, field: "token")])
        case .authentication, .rateLimited, .api, .connection, .unexpectedResponse:
            context.logger.error("payment provider failed", metadata: ["order": "\(orderID)", "error": "\(error)"])
            return .unavailable("The payment provider is unavailable; try again with the same card")
        }
    }

    private func releaseAttempt(orderID: String, context: FunctionContext) async throws {
        try await context.transaction { transaction in
            try await transaction.sql.delete(from: PaymentAttempt.table).where("order_id", .equal, orderID).run()
        }
    }

    /// Records a successful charge: the payment and `payment:created`, unless the order was cancelled while
    /// Stripe was charging — then the charge is refunded.
    private func record(_ charge: Charge, order: OrderReplica, context: FunctionContext) async throws -> HTTPResponse {
        let currency = self.currency
        let outcome = try await context.transaction { transaction -> (PaymentRecord, refund: Bool) in
            try await transaction.sql.delete(from: PaymentAttempt.table).where("order_id", .equal, order.id).run()
            if let existing = try await PaymentRecord.find(orderID: order.id, in: transaction.sql) {
                // The same attempt finished twice (a retried request): Stripe answered with the same charge.
                return (existing, false)
            }
            let cancelled = try await OrderReplica.find(id: order.id, in: transaction.sql)?.status == .cancelled
            let id = UUID().uuidString.lowercased()
            let row = try await transaction.sql.insert(into: PaymentRecord.table)
                .columns("id", "order_id", "stripe_id", "amount", "currency", "status", "created_at")
                .values(
                    SQLBind(id), SQLBind(order.id), SQLBind(charge.id), SQLBind(charge.amount), SQLBind(currency),
                    SQLBind(PaymentRecord.Status.succeeded.rawValue), SQLBind(transaction.now.epochMilliseconds)
                )
                .returning(PaymentRecord.columns.map { SQLColumn($0) })
                .first()
            guard let row else { throw FunctionError.unavailable("The payment was not stored") }
            let payment = try PaymentRecord(row: row)
            if cancelled {
                try await RefundPayment.schedule(payment, in: transaction)
            } else {
                try await transaction.publish(PaymentCreated(id: payment.id, orderId: order.id, stripeId: charge.id))
            }
            return (payment, cancelled)
        }
        let (payment, refund) = outcome
        guard refund else {
            guard payment.stripeID == charge.id else { throw FunctionError.badRequest("Order is already paid") }
            return try .json(201, payment.body)
        }
        // Refund now so the buyer hears it in this answer; the scheduled refund finds it done.
        if let made = try? await RefundPayment.refund(payment, through: stripe) {
            context.logger.info("refunded a charge on a cancelled order", metadata: ["refund": "\(made.id)"])
        }
        throw FunctionError.badRequest("Order was cancelled; the charge was refunded")
    }
}
