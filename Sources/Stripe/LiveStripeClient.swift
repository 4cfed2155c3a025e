import CurlHTTP
import Foundation

/// Speaks Stripe's HTTP API over libcurl (``CurlClient``, which loads libcurl when the first charge is sent).
///
/// - A card token or other source (`tok_…`, `card_…`, `src_…`) is charged with `POST /v1/charges`
///   (`amount`, `currency`, `source`, `description`, `metadata[…]`); the charge id is `ch_…`.
/// - A PaymentMethod (`pm_…`) is charged with `POST /v1/payment_intents` (`amount`, `currency`,
///   `payment_method`, `payment_method_types[]=card`, `confirm=true`, `description`, `metadata[…]`); the charge
///   id is the intent's `pi_…`. Naming the card type means Stripe needs no `return_url`: a card never redirects.
///   An intent that comes back `requires_action` (3D Secure) throws ``StripeError/authenticationRequired``;
///   one that comes back `requires_payment_method` throws its `last_payment_error` as a decline; any other
///   status but `succeeded` throws ``StripeError/unexpectedResponse(status:body:)``.
/// - A refund is `POST /v1/refunds` with `charge=ch_…` or `payment_intent=pi_…`.
///
/// Every request carries `Authorization: Bearer`, the request's `Idempotency-Key`, `Stripe-Version`, a form
/// body and a `User-Agent`. Failures are retried per ``StripeRetryPolicy`` with the same idempotency key, and
/// errors are mapped as ``StripeError/fromResponse(status:body:)`` describes.
public final class LiveStripeClient: StripeClient {
    /// `https://api.stripe.com`.
    public static let defaultBaseURL = URL(string: "https://api.stripe.com") ?? URL(fileURLWithPath: "/")
    /// The API version every request pins with `Stripe-Version`, so a change of the account's default version
    /// never changes what this client reads.
    public static let defaultAPIVersion = "2024-06-20"
    /// The `User-Agent` sent.
    public static let userAgent = "Ticketing-Stripe/1.0 (Swift; libcurl)"

    /// The API's root; paths such as `v1/charges` are appended to it.
    public let baseURL: URL
    /// The `Stripe-Version` sent.
    public let apiVersion: String
    /// How long one attempt may take before it counts as a connection failure.
    public let requestTimeout: Duration
    /// When failed attempts are sent again.
    public let retryPolicy: StripeRetryPolicy

    /// The longest one call can take: every attempt the retry policy allows running to its time-out, with
    /// the longest waits in between. A function calling Stripe needs a timeout above this, or a charge may
    /// still be in flight when it is abandoned.
    public var longestCall: Duration {
        let attempts = retryPolicy.maxRetries + 1
        let waits = (0..<retryPolicy.maxRetries).reduce(Duration.zero) { total, retry in
            total + retryPolicy.delay(beforeRetry: retry + 1, retryAfter: retryPolicy.maxDelay)
        }
        return requestTimeout * attempts + waits
    }

    private let secretKey: String
    private let client = CurlClient()
    private let sleep: @Sendable (Duration) async throws -> Void

    /// Creates a client.
    ///
    /// - Parameters:
    ///   - secretKey: a secret (`sk_…`) or restricted (`rk_…`) key; ``StripeConfiguration`` checks its form.
    ///   - baseURL: the API's root, `https://api.stripe.com` unless a fake or proxy stands in.
    ///   - apiVersion: the `Stripe-Version` to pin.
    ///   - requestTimeout: the limit for one attempt (15 s by default, so that a request and its retries fit
    ///     in the time a function handling an HTTP request is given).
    ///   - retryPolicy: when to send a failed attempt again.
    ///   - sleep: how to wait between attempts; tests pass one that records instead of waiting.
    public init(
        secretKey: String, baseURL: URL = LiveStripeClient.defaultBaseURL,
        apiVersion: String = LiveStripeClient.defaultAPIVersion, requestTimeout: Duration = .seconds(15),
        retryPolicy: StripeRetryPolicy = .standard,
        sleep: @escaping @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) }
    ) {
        self.secretKey = secretKey
        self.baseURL = baseURL
        self.apiVersion = apiVersion
        self.requestTimeout = requestTimeout
        self.retryPolicy = retryPolicy
        self.sleep = sleep
    }

    /// Charges through Charges (`tok_…` and other sources) or PaymentIntents (`pm_…`).
    public func charge(_ request: ChargeRequest) async throws -> Charge {
        if request.token.hasPrefix("pm_") {
            return try await chargeWithPaymentIntent(request)
        }
        var form = StripeForm()
        form.append("amount", value: String(request.amount))
        form.append("currency", value: request.currency)
        form.append("source", value: request.token)
        if let description = request.description { form.append("description", value: description) }
        form.appendMetadata(request.metadata)
        let answer = try await post("v1/charges", form: form, idempotencyKey: request.idempotencyKey)
        let object = try JSONDecoder.stripeObject(ChargeObject.self, from: answer.body, status: answer.status)
        guard !object.id.isEmpty else { throw StripeError.unexpected(answer) }
        if object.status == "failed" {
            throw StripeError.cardDeclined(
                message: object.failureMessage ?? "Your card was declined.",
                code: object.failureCode ?? "card_declined",
                declineCode: nil)
        }
        return Charge(
            id: object.id, amount: object.amount ?? request.amount, currency: object.currency ?? request.currency)
    }

    private func chargeWithPaymentIntent(_ request: ChargeRequest) async throws -> Charge {
        var form = StripeForm()
        form.append("amount", value: String(request.amount))
        form.append("currency", value: request.currency)
        form.append("payment_method", value: request.token)
        form.append("payment_method_types", [""], value: "card")
        form.append("confirm", value: "true")
        if let description = request.description { form.append("description", value: description) }
        form.appendMetadata(request.metadata)
        let answer = try await post("v1/payment_intents", form: form, idempotencyKey: request.idempotencyKey)
        let intent = try JSONDecoder.stripeObject(PaymentIntentObject.self, from: answer.body, status: answer.status)
        guard !intent.id.isEmpty else { throw StripeError.unexpected(answer) }
        switch intent.status {
        case "succeeded":
            return Charge(
                id: intent.id, amount: intent.amount ?? request.amount, currency: intent.currency ?? request.currency)
        case "requires_action", "requires_source_action":
            throw StripeError.authenticationRequired
        case "requires_payment_method":
            let error = intent.lastPaymentError
            throw StripeError.cardDeclined(
                message: error?.message ?? "Your card was declined.", code: error?.code ?? "card_declined",
                declineCode: error?.declineCode)
        default:
            throw StripeError.unexpectedResponse(
                status: answer.status,
                body: "PaymentIntent \(intent.id) is \(intent.status ?? "without a status"), not succeeded")
        }
    }

    /// Refunds a `ch_…` charge or a `pi_…` payment intent in full.
    public func refund(_ request: RefundRequest) async throws -> Refund {
        var form = StripeForm()
        form.append(request.chargeID.hasPrefix("pi_") ? "payment_intent" : "charge", value: request.chargeID)
        let answer = try await post("v1/refunds", form: form, idempotencyKey: request.idempotencyKey)
        let object = try JSONDecoder.stripeObject(RefundObject.self, from: answer.body, status: answer.status)
        guard !object.id.isEmpty else { throw StripeError.unexpected(answer) }
        if object.status == "failed" || object.status == "canceled" {
            throw StripeError.unexpectedResponse(
                status: answer.status,
                body: "Refund \(object.id) is \(object.status ?? "")"
                    + (object.failureReason.map { " (\($0))" } ?? ""))
        }
        return Refund(id: object.id, chargeID: request.chargeID)
    }

    // MARK: - Sending

    /// A success answer.
    struct Answer: Sendable {
        var status: Int
        var body: Data
    }

    /// Sends `form` to `path`, retrying per ``retryPolicy``; returns the first 2xx answer or throws the
    /// ``StripeError`` of the last attempt.
    func post(_ path: String, form: StripeForm, idempotencyKey: String) async throws -> Answer {
        try IdempotencyKey.validate(idempotencyKey)
        let request = curlRequest(path: path, form: form, idempotencyKey: idempotencyKey)
        var attempts = 0
        while true {
            attempts += 1
            let failure: StripeError
            let outcome: StripeRetryPolicy.AttemptOutcome
            var retryAfter: Duration?
            do {
                let answer = try await client.send(request)
                if (200..<300).contains(answer.status) { return Answer(status: answer.status, body: answer.body) }
                failure = StripeError.fromResponse(status: answer.status, body: answer.body)
                outcome = .answer(status: answer.status, shouldRetry: answer.shouldRetryHeader)
                retryAfter = answer.retryAfter
            } catch {
                if Task.isCancelled { throw StripeError.connection("cancelled while waiting for Stripe") }
                failure = .connection(Self.describe(error, url: URL(string: request.url), timeout: requestTimeout))
                outcome = .noAnswer
            }
            guard retryPolicy.allowsRetry(after: outcome, attemptsSoFar: attempts, idempotent: true) else {
                throw failure
            }
            do {
                try await sleep(retryPolicy.delay(beforeRetry: attempts, retryAfter: retryAfter))
            } catch {
                throw failure
            }
        }
    }

    private func curlRequest(path: String, form: StripeForm, idempotencyKey: String) -> CurlRequest {
        CurlRequest(
            method: "POST", url: baseURL.appendingPathComponent(path).absoluteString,
            headers: [
                CurlHeader("Authorization", "Bearer \(secretKey)"), CurlHeader("Idempotency-Key", idempotencyKey),
                CurlHeader("Stripe-Version", apiVersion),
                CurlHeader("Content-Type", "application/x-www-form-urlencoded"),
                CurlHeader("Accept", "application/json"), CurlHeader("User-Agent", Self.userAgent),
            ],
            body: Data(form.encoded.utf8), timeout: requestTimeout)
    }

    /// One line for a request that got no answer.
    static func describe(_ error: any Error, url: URL?, timeout: Duration) -> String {
        let target = url.map { "\($0.scheme ?? "http")://\($0.host ?? "?")" + ($0.port.map { ":\($0)" } ?? "") } ?? "?"
        guard let curlError = error as? CurlError else { return "\(target): \(error)" }
        switch curlError.kind {
        case .timedOut: return "\(target): no answer within \(timeout.timeInterval) s"
        case .couldNotConnect: return "\(target): connection refused"
        case .hostNotFound: return "\(target): host not found"
        case .connectionLost: return "\(target): connection lost before the answer"
        case .tls: return "\(target): TLS failed"
        case .malformedAnswer: return "\(target): malformed HTTP answer"
        case .unavailable: return "\(target): \(curlError.message)"
        case .badURL, .cancelled, .other: return "\(target): \(curlError.message)"
        }
    }
}

extension StripeError {
    /// A 2xx answer that is not the object asked for.
    fileprivate static func unexpected(_ answer: LiveStripeClient.Answer) -> StripeError {
        .unexpectedResponse(status: answer.status, body: String(decoding: answer.body, as: UTF8.self))
    }
}

extension CurlResponse {
    /// `Stripe-Should-Retry`: `true`/`false`, or `nil` when absent or neither.
    fileprivate var shouldRetryHeader: Bool? {
        switch header("Stripe-Should-Retry")?.trimmingCharacters(in: .whitespaces).lowercased() {
        case "true": true
        case "false": false
        default: nil
        }
    }

    /// `Retry-After` in seconds (an HTTP date is ignored: the backoff applies then).
    fileprivate var retryAfter: Duration? {
        guard let text = header("Retry-After")?.trimmingCharacters(in: .whitespaces), let seconds = Double(text),
            seconds.isFinite, seconds > 0
        else { return nil }
        return .milliseconds(Int64(min(seconds, 86_400) * 1000))
    }
}

extension Duration {
    /// The duration in seconds, for Foundation's `TimeInterval` APIs.
    var timeInterval: TimeInterval {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
