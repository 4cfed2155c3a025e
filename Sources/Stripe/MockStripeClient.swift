import Foundation

/// A ``StripeClient`` that needs no network and behaves like Stripe's test mode.
///
/// - Charges: Stripe's documented test tokens and PaymentMethods succeed or decline as ``StripeTestCard``
///   lists; a `pm_…` charge gets a `pi_…` id, anything else a `ch_…` id. An unknown token is
///   `invalidRequest("No such token: '…'", code: "resource_missing", param: "source")` (for `pm_…`:
///   `No such PaymentMethod`, param `payment_method`). Like Stripe it refuses an amount below 1, below the
///   currency's minimum charge (`usd` 50 cents, `gbp` 30 pence, `jpy` 50 yen, … → `amount_too_small`), and a
///   currency that is not three letters.
/// - Idempotency, as Stripe: the same key with the same parameters replays the first result (the same
///   ``Charge``, or the same decline) without charging again; the same key with other parameters (or for the
///   other endpoint) is `invalidRequest` with code `idempotency_error`. Invalid requests are not remembered, so a
///   corrected request may reuse the key, as with Stripe.
/// - Refunds: of a charge or payment intent this mock made, once; a second refund is
///   `charge_already_refunded`, an unknown id `resource_missing`. Ids this mock makes (`ch_mock…`, `pi_mock…`,
///   random, so unique across restarts) are refundable even when an earlier run of the process made them, as
///   the mock keeps nothing on disk and a local runtime that restarts would otherwise never refund them.
/// - Every request is recorded (``chargeRequests``, ``refundRequests``) and failures can be injected
///   (``failNext(with:)``) to test what a caller does on a connection or API error.
public actor MockStripeClient: StripeClient {
    /// Every charge request received, in order, replays and failures included.
    public private(set) var chargeRequests: [ChargeRequest] = []
    /// Every refund request received, in order, replays and failures included.
    public private(set) var refundRequests: [RefundRequest] = []
    /// The charges made (one per successful payment attempt, not per request).
    public private(set) var charges: [Charge] = []
    /// The refunds made.
    public private(set) var refunds: [Refund] = []

    private var injectedFailures: [StripeError] = []
    private var remembered: [String: Remembered] = [:]
    private var refundedChargeIDs: Set<String> = []

    /// What Stripe's idempotency layer keeps for a key: what was asked, and what was answered.
    private struct Remembered {
        enum Request: Equatable {
            case charge(amount: Int, currency: String, token: String, description: String?, metadata: [String: String])
            case refund(chargeID: String)
        }
        var request: Request
        var answer: Result<Answer, StripeError>
    }

    private enum Answer {
        case charge(Charge)
        case refund(Refund)
    }

    /// Creates an empty mock.
    public init() {}

    /// Makes the next `charge` or `refund` call throw `error` before doing anything (it is still recorded, and
    /// its idempotency key stays unused). Several calls queue several failures.
    public func failNext(with error: StripeError) {
        injectedFailures.append(error)
    }

    /// Charges a test token; see the type's documentation.
    public func charge(_ request: ChargeRequest) async throws -> Charge {
        chargeRequests.append(request)
        if !injectedFailures.isEmpty { throw injectedFailures.removeFirst() }
        try IdempotencyKey.validate(request.idempotencyKey)
        let asked = Remembered.Request.charge(
            amount: request.amount, currency: request.currency, token: request.token,
            description: request.description, metadata: request.metadata)
        if let answer = try replay(key: request.idempotencyKey, asked: asked) {
            guard case .charge(let charge) = answer else { throw idempotencyError(request.idempotencyKey) }
            return charge
        }
        try validateAmount(request.amount, currency: request.currency)
        let isPaymentMethod = request.token.hasPrefix("pm_")
        guard let outcome = StripeTestCard.outcome(of: request.token) else {
            throw isPaymentMethod
                ? StripeError.invalidRequest(
                    message: "No such PaymentMethod: '\(request.token)'", code: "resource_missing",
                    param: "payment_method")
                : StripeError.invalidRequest(
                    message: "No such token: '\(request.token)'", code: "resource_missing", param: "source")
        }
        switch outcome {
        case .declines(let error):
            remembered[request.idempotencyKey] = Remembered(request: asked, answer: .failure(error))
            throw error
        case .succeeds:
            let charge = Charge(
                id: newID(isPaymentMethod ? "pi" : "ch"), amount: request.amount, currency: request.currency)
            charges.append(charge)
            remembered[request.idempotencyKey] = Remembered(request: asked, answer: .success(.charge(charge)))
            return charge
        }
    }

    /// Refunds a charge or payment intent this mock made, once.
    public func refund(_ request: RefundRequest) async throws -> Refund {
        refundRequests.append(request)
        if !injectedFailures.isEmpty { throw injectedFailures.removeFirst() }
        try IdempotencyKey.validate(request.idempotencyKey)
        let asked = Remembered.Request.refund(chargeID: request.chargeID)
        if let answer = try replay(key: request.idempotencyKey, asked: asked) {
            guard case .refund(let refund) = answer else { throw idempotencyError(request.idempotencyKey) }
            return refund
        }
        let isPaymentIntent = request.chargeID.hasPrefix("pi_")
        guard charges.contains(where: { $0.id == request.chargeID }) || Self.isMockID(request.chargeID) else {
            throw isPaymentIntent
                ? StripeError.invalidRequest(
                    message: "No such payment_intent: '\(request.chargeID)'", code: "resource_missing",
                    param: "payment_intent")
                : StripeError.invalidRequest(
                    message: "No such charge: '\(request.chargeID)'", code: "resource_missing", param: "charge")
        }
        guard !refundedChargeIDs.contains(request.chargeID) else {
            throw StripeError.invalidRequest(
                message: "Charge \(request.chargeID) has already been refunded.", code: "charge_already_refunded",
                param: nil)
        }
        let refund = Refund(id: newID("re"), chargeID: request.chargeID)
        refundedChargeIDs.insert(request.chargeID)
        refunds.append(refund)
        remembered[request.idempotencyKey] = Remembered(request: asked, answer: .success(.refund(refund)))
        return refund
    }

    // MARK: - Stripe's rules

    /// The remembered answer for `key` when it was used with the same request; `nil` when the key is new.
    private func replay(key: String, asked: Remembered.Request) throws -> Answer? {
        guard let entry = remembered[key] else { return nil }
        guard entry.request == asked else { throw idempotencyError(key) }
        return try entry.answer.get()
    }

    private func idempotencyError(_ key: String) -> StripeError {
        .invalidRequest(
            message: "Keys for idempotent requests can only be used with the same parameters they were first used "
                + "with. Try using a key other than '\(key)' if you meant to execute a different request.",
            code: "idempotency_error", param: nil)
    }

    /// Stripe's minimum charge amounts (in minor units) for the currencies it lists most.
    private static let minimumAmounts: [String: (amount: Int, display: String)] = [
        "usd": (50, "$0.50"), "eur": (50, "€0.50"), "gbp": (30, "£0.30"), "cad": (50, "$0.50"),
        "aud": (50, "$0.50"), "nzd": (50, "$0.50"), "sgd": (50, "$0.50"), "chf": (50, "0.50 Fr"),
        "jpy": (50, "¥50"),
    ]

    private func validateAmount(_ amount: Int, currency: String) throws {
        guard currency.count == 3, currency.allSatisfy({ $0.isASCII && $0.isLowercase }) else {
            throw StripeError.invalidRequest(
                message: "Invalid currency: \(currency).", code: "invalid_currency", param: "currency")
        }
        guard amount >= 1 else {
            throw StripeError.invalidRequest(
                message: "This value must be greater than or equal to 1.", code: "parameter_invalid_integer",
                param: "amount")
        }
        if let minimum = Self.minimumAmounts[currency], amount < minimum.amount {
            throw StripeError.invalidRequest(
                message: "Amount must be at least \(minimum.display) \(currency)", code: "amount_too_small",
                param: "amount")
        }
    }

    /// A new id such as `ch_mock3f9a…`: random, so ids stay unique across runs of a process that stores them.
    private func newID(_ prefix: String) -> String {
        "\(prefix)_mock" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(20)
    }

    /// Whether `id` is one this mock makes (`ch_mock…`, `pi_mock…`), possibly in an earlier run of the process.
    private static func isMockID(_ id: String) -> Bool {
        id.hasPrefix("ch_mock") || id.hasPrefix("pi_mock")
    }
}
