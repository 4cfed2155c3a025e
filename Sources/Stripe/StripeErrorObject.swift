import Foundation

/// Stripe's error object: `{"error": {"type", "message", "code", "decline_code", "param"}}`.
struct StripeErrorObject: Decodable, Sendable, Equatable {
    /// `card_error`, `invalid_request_error`, `api_error`, `idempotency_error`, `authentication_error`, …
    var type: String?
    /// A message for people; for `card_error`, one that can be shown to the buyer.
    var message: String?
    /// A short code (`card_declined`, `resource_missing`, …).
    var code: String?
    /// The issuer's reason for a decline (`insufficient_funds`, `generic_decline`, …).
    var declineCode: String?
    /// The parameter the error is about.
    var param: String?

    enum CodingKeys: String, CodingKey {
        case type, message, code, param
        case declineCode = "decline_code"
    }

    private struct Envelope: Decodable {
        var error: StripeErrorObject
    }

    /// The error object in `body`, or `nil` when the body is not one.
    static func decode(from body: Data) -> StripeErrorObject? {
        try? JSONDecoder().decode(Envelope.self, from: body).error
    }
}

extension StripeError {
    /// The error an HTTP answer with a non-success `status` and `body` stands for.
    ///
    /// - `401`, `403` → ``authentication(message:)`` (a refused key; a restricted key without the permission);
    /// - `429` → ``rateLimited(message:)``;
    /// - `409` → ``api(status:message:)`` (another request with the same key is in flight: outcome unknown);
    /// - `card_error`, or any `402` → ``cardDeclined(message:code:declineCode:)`` (Stripe answers a failed
    ///   payment with 402; some fakes, localstripe among them, type it `invalid_request_error`);
    /// - `api_error` or `5xx`, with or without an error object → ``api(status:message:)``;
    /// - `idempotency_error` → ``invalidRequest(message:code:param:)`` with code `idempotency_error` unless
    ///   Stripe gave one;
    /// - `invalid_request_error` or another `4xx` with an error object → ``invalidRequest(message:code:param:)``;
    /// - anything else (no error object, an unknown status) → ``unexpectedResponse(status:body:)``.
    static func fromResponse(status: Int, body: Data) -> StripeError {
        let text = String(decoding: body, as: UTF8.self)
        guard let object = StripeErrorObject.decode(from: body) else {
            switch status {
            case 401, 403: return .authentication(message: "HTTP \(status) without a Stripe error object")
            case 429: return .rateLimited(message: "HTTP 429 without a Stripe error object")
            case 500...599: return .api(status: status, message: "HTTP \(status): \(text.prefix(200))")
            default: return .unexpectedResponse(status: status, body: text)
            }
        }
        let message = object.message ?? "HTTP \(status) (\(object.type ?? "no error type"))"
        switch (status, object.type) {
        case (401, _), (403, _), (_, "authentication_error"), (_, "permission_error"):
            return .authentication(message: message)
        case (429, _), (_, "rate_limit_error"):
            return .rateLimited(message: message)
        case (409, _):
            return .api(status: status, message: message)
        case (402, _), (_, "card_error"):
            return .cardDeclined(message: message, code: object.code, declineCode: object.declineCode)
        case (500...599, _), (_, "api_error"):
            return .api(status: status, message: message)
        case (_, "idempotency_error"):
            return .invalidRequest(message: message, code: object.code ?? "idempotency_error", param: object.param)
        case (400...499, _):
            return .invalidRequest(message: message, code: object.code, param: object.param)
        default:
            return .unexpectedResponse(status: status, body: text)
        }
    }
}
