import Foundation

/// One entry of the SPEC error shape: `{"message": "...", "field": "...", "code": "..."}`.
public struct ErrorDetail: Codable, Sendable, Equatable {
    /// What went wrong, for people.
    public var message: String
    /// The JSON key of the request field at fault, for field errors.
    public var field: String?
    /// A machine-readable code, e.g. Stripe's `decline_code`.
    public var code: String?

    /// Creates an entry.
    public init(message: String, field: String? = nil, code: String? = nil) {
        self.message = message
        self.field = field
        self.code = code
    }
}

/// The body of every error response: `{"errors": [...]}`.
public struct ErrorBody: Codable, Sendable, Equatable {
    /// The entries, one per problem.
    public var errors: [ErrorDetail]

    /// Creates a body.
    public init(errors: [ErrorDetail]) {
        self.errors = errors
    }
}

/// The errors a handler throws to answer with a documented status and the SPEC error shape.
public enum FunctionError: Error, Sendable, Equatable {
    /// 400 with one entry per bad field.
    case validation([ErrorDetail])
    /// 400 with one message, e.g. `Email in use`.
    case badRequest(String)
    /// 401 `Not authorized`.
    case notAuthorized
    /// 403 with a message.
    case forbidden(String)
    /// 404 `Not Found`.
    case notFound
    /// 402 with the payment provider's message and code.
    case paymentRequired(message: String, code: String?)
    /// 413 `Request body too large`.
    case payloadTooLarge
    /// An event that cannot be handled as it is (wrong shape, unknown subject): never retried.
    case invalidEvent(String)
    /// An event that arrived before the one it depends on (a version gap, a replica row not there yet): the
    /// runtime delivers it again later with backoff and never dead-letters it for waiting. 503 over HTTP.
    case retryLater(String)
    /// An event naming something its service made itself, or was told of before the event could exist, and
    /// does not have: waiting cannot bring it, so it fails like an exception — retried up to the function's
    /// attempts, then dead-lettered for an operator — instead of being deferred and holding up its
    /// subscription. For event handlers; 500 over HTTP.
    case unknownReference(String)
    /// 409: the request collides with one in progress (e.g. a second payment attempt for an order).
    case conflict(String)
    /// 503: a dependency outside the service (e.g. the payment provider) is unavailable; try again.
    case unavailable(String)

    /// The HTTP status this error answers with.
    public var statusCode: Int {
        switch self {
        case .validation, .badRequest, .invalidEvent: 400
        case .notAuthorized: 401
        case .paymentRequired: 402
        case .forbidden: 403
        case .notFound: 404
        case .payloadTooLarge: 413
        case .conflict: 409
        case .retryLater, .unavailable: 503
        case .unknownReference: 500
        }
    }

    /// The error body's entries.
    public var details: [ErrorDetail] {
        switch self {
        case .validation(let details): details
        case .badRequest(let message), .forbidden(let message), .invalidEvent(let message), .retryLater(let message),
            .conflict(let message), .unavailable(let message), .unknownReference(let message):
            [ErrorDetail(message: message)]
        case .notAuthorized: [ErrorDetail(message: "Not authorized")]
        case .notFound: [ErrorDetail(message: "Not Found")]
        case .paymentRequired(let message, let code): [ErrorDetail(message: message, code: code)]
        case .payloadTooLarge: [ErrorDetail(message: "Request body too large")]
        }
    }

    /// The error as an HTTP response in the SPEC shape.
    public var response: HTTPResponse {
        HTTPResponse.errorResponse(statusCode, details)
    }
}

extension HTTPResponse {
    /// A response with the SPEC error shape.
    public static func errorResponse(_ status: Int, _ details: [ErrorDetail]) -> HTTPResponse {
        // Encoding plain strings cannot fail; the fallback keeps the shape should it ever.
        (try? .json(status, ErrorBody(errors: details)))
            ?? HTTPResponse(
                statusCode: status, headers: ["content-type": "application/json; charset=utf-8"],
                body: #"{"errors":[{"message":"Error"}]}"#)
    }
}
