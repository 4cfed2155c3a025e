import Foundation

/// What the payments service needs from Stripe: charge a card once per payment attempt, and refund.
///
/// Two implementations: ``LiveStripeClient`` speaks Stripe's HTTP API; ``MockStripeClient`` needs no
/// network and honours Stripe's documented test tokens. ``StripeConfiguration`` picks one.
public protocol StripeClient: Sendable {
    /// Charges `request.amount` minor units with `request.token`: a card token (`tok_…`) through
    /// `POST /v1/charges`, or a PaymentMethod id (`pm_…`) through `POST /v1/payment_intents` with
    /// `confirm=true`. The same `idempotencyKey` never charges twice. Throws ``StripeError``.
    func charge(_ request: ChargeRequest) async throws -> Charge

    /// Refunds a charge or payment intent in full, once per `idempotencyKey`. Throws ``StripeError``.
    func refund(_ request: RefundRequest) async throws -> Refund
}

/// One payment attempt.
public struct ChargeRequest: Sendable, Equatable {
    /// The amount in the currency's minor units (cents for `usd`); see ``StripeAmount``.
    public var amount: Int
    /// The ISO currency code, lower-case (`usd`).
    public var currency: String
    /// The card token (`tok_…`) or PaymentMethod id (`pm_…`) the client sent.
    public var token: String
    /// A description shown in Stripe's dashboard.
    public var description: String?
    /// Metadata stored with the charge, e.g. `orderId`.
    public var metadata: [String: String]
    /// The key that makes a retried request return the first result instead of charging again: one per payment
    /// attempt (the order and the token), 1 to 255 characters without control characters (else
    /// ``StripeError/invalidRequest(message:code:param:)`` with param `Idempotency-Key`, before anything is sent).
    public var idempotencyKey: String

    /// Creates a request.
    public init(
        amount: Int, currency: String, token: String, description: String? = nil, metadata: [String: String] = [:],
        idempotencyKey: String
    ) {
        self.amount = amount
        self.currency = currency
        self.token = token
        self.description = description
        self.metadata = metadata
        self.idempotencyKey = idempotencyKey
    }
}

/// A successful charge.
public struct Charge: Sendable, Equatable, Codable {
    /// Stripe's id: `ch_…` for Charges, `pi_…` for PaymentIntents.
    public var id: String
    /// The amount charged, in minor units.
    public var amount: Int
    /// The currency.
    public var currency: String

    /// Creates a charge.
    public init(id: String, amount: Int, currency: String) {
        self.id = id
        self.amount = amount
        self.currency = currency
    }
}

/// A refund to make.
public struct RefundRequest: Sendable, Equatable {
    /// The charge (`ch_…`) or payment intent (`pi_…`) to refund.
    public var chargeID: String
    /// The key that makes a retried refund return the first result (same rules as ``ChargeRequest/idempotencyKey``).
    public var idempotencyKey: String

    /// Creates a request.
    public init(chargeID: String, idempotencyKey: String) {
        self.chargeID = chargeID
        self.idempotencyKey = idempotencyKey
    }
}

/// A refund made.
public struct Refund: Sendable, Equatable, Codable {
    /// Stripe's id (`re_…`).
    public var id: String
    /// The refunded charge or payment intent.
    public var chargeID: String

    /// Creates a refund.
    public init(id: String, chargeID: String) {
        self.id = id
        self.chargeID = chargeID
    }
}

/// Why Stripe did not do what was asked, from its error object (`{"error": {"type", "message", "code",
/// "decline_code", "param"}}`) or from the connection.
public enum StripeError: Error, Sendable, Equatable, CustomStringConvertible {
    /// `card_error` (HTTP 402): the card was declined. `message` is Stripe's, for the buyer.
    case cardDeclined(message: String, code: String?, declineCode: String?)
    /// `invalid_request_error` (HTTP 400/404): the request was wrong (bad token, bad amount, …).
    case invalidRequest(message: String, code: String?, param: String?)
    /// HTTP 401: the secret key was refused.
    case authentication(message: String)
    /// HTTP 429: too many requests (retried by the live client before this is thrown).
    case rateLimited(message: String)
    /// `api_error` or another HTTP 5xx on Stripe's side.
    case api(status: Int, message: String)
    /// The request did not get an answer (connection refused, timeout, …).
    case connection(String)
    /// An answer that is not what Stripe sends.
    case unexpectedResponse(status: Int, body: String)

    /// The code the API answers a declined payment with: the decline code when present, else the code.
    public var clientCode: String? {
        if case .cardDeclined(_, let code, let declineCode) = self { return declineCode ?? code }
        return nil
    }

    /// Whether the outcome is unknown or the failure passing, so the same request with the same
    /// `idempotencyKey` may be sent again later (``rateLimited(message:)``, ``api(status:message:)``,
    /// ``connection(_:)``, ``unexpectedResponse(status:body:)``). `false` for answers that will not change:
    /// a decline, an invalid request, a refused key.
    public var isRetryable: Bool {
        switch self {
        case .cardDeclined, .invalidRequest, .authentication: false
        case .rateLimited, .api, .connection, .unexpectedResponse: true
        }
    }

    /// The decline a card that needs authentication (3D Secure) gets: this API confirms payments server-side and
    /// cannot show the buyer the bank's challenge. Code and decline code are Stripe's `authentication_required`.
    public static let authenticationRequired = StripeError.cardDeclined(
        message: "This payment needs authentication the API cannot complete. Use another card.",
        code: "authentication_required", declineCode: "authentication_required")

    /// One line for logs.
    public var description: String {
        switch self {
        case .cardDeclined(let message, let code, let declineCode):
            "card declined: \(message) (\([code, declineCode].compactMap { $0 }.joined(separator: ", ")))"
        case .invalidRequest(let message, let code, let param):
            "invalid request: \(message)" + (param.map { " [\($0)]" } ?? "") + (code.map { " (\($0))" } ?? "")
        case .authentication(let message): "authentication failed: \(message)"
        case .rateLimited(let message): "rate limited: \(message)"
        case .api(let status, let message): "Stripe API error \(status): \(message)"
        case .connection(let message): "cannot reach Stripe: \(message)"
        case .unexpectedResponse(let status, let body): "unexpected answer from Stripe (\(status)): \(body.prefix(200))"
        }
    }
}
