import Foundation

/// An HTTP request as an API Gateway HTTP API (payload format 2.0) event.
///
/// Decoding is lenient: unknown fields are ignored and missing optional parts take empty defaults, so an
/// event captured from API Gateway, written by hand or produced by `ticketing events generate` all work.
/// Header names are lower-cased, as API Gateway delivers them.
public struct HTTPRequest: Sendable, Equatable {
    /// `requestContext` of the event.
    public struct RequestContext: Codable, Sendable, Equatable {
        /// `requestContext.http`.
        public struct HTTP: Codable, Sendable, Equatable {
            /// The request method, upper-case.
            public var method: String
            /// The request path.
            public var path: String
            /// The protocol, e.g. `HTTP/1.1`.
            public var `protocol`: String?
            /// The client's address.
            public var sourceIp: String?
            /// The client's `User-Agent`.
            public var userAgent: String?

            /// Creates the HTTP part of a request context.
            public init(
                method: String, path: String, protocol: String? = "HTTP/1.1", sourceIp: String? = nil,
                userAgent: String? = nil
            ) {
                self.method = method
                self.path = path
                self.protocol = `protocol`
                self.sourceIp = sourceIp
                self.userAgent = userAgent
            }
        }

        /// The id API Gateway gave the request.
        public var requestId: String
        /// The matched route key, e.g. `GET /api/tickets/{id}`.
        public var routeKey: String?
        /// The stage, `$default` locally.
        public var stage: String?
        /// Epoch milliseconds when the request arrived.
        public var timeEpoch: Int64?
        /// Method, path and client of the request.
        public var http: HTTP

        /// Creates a request context.
        public init(
            requestId: String, routeKey: String? = nil, stage: String? = "$default", timeEpoch: Int64? = nil, http: HTTP
        ) {
            self.requestId = requestId
            self.routeKey = routeKey
            self.stage = stage
            self.timeEpoch = timeEpoch
            self.http = http
        }
    }

    /// Always `2.0`.
    public var version: String
    /// The route key, e.g. `POST /api/tickets`.
    public var routeKey: String
    /// The path as received.
    public var rawPath: String
    /// The query string without `?`.
    public var rawQueryString: String
    /// Cookies as `name=value` strings.
    public var cookies: [String]
    /// Headers, names lower-cased; repeated headers are joined with commas.
    public var headers: [String: String]
    /// Query parameters; repeated ones are joined with commas.
    public var queryStringParameters: [String: String]
    /// Values of the route's `{param}` segments.
    public var pathParameters: [String: String]
    /// Method, path, client and request id.
    public var requestContext: RequestContext
    /// The body, as text or base64 (see `isBase64Encoded`).
    public var body: String?
    /// Whether `body` is base64.
    public var isBase64Encoded: Bool

    /// Creates a request event.
    public init(
        method: String,
        path: String,
        routeKey: String? = nil,
        rawQueryString: String = "",
        cookies: [String] = [],
        headers: [String: String] = [:],
        queryStringParameters: [String: String] = [:],
        pathParameters: [String: String] = [:],
        body: String? = nil,
        isBase64Encoded: Bool = false,
        requestId: String = UUID.random().lowercasedString,
        sourceIp: String? = "127.0.0.1",
        userAgent: String? = nil,
        timeEpoch: Int64? = nil
    ) {
        let method = method.uppercased()
        let routeKey = routeKey ?? "\(method) \(path)"
        self.version = "2.0"
        self.routeKey = routeKey
        self.rawPath = path
        self.rawQueryString = rawQueryString
        self.cookies = cookies
        self.headers = Dictionary(headers.map { ($0.key.lowercased(), $0.value) }, uniquingKeysWith: { "\($0),\($1)" })
        self.queryStringParameters = queryStringParameters
        self.pathParameters = pathParameters
        self.requestContext = RequestContext(
            requestId: requestId, routeKey: routeKey, timeEpoch: timeEpoch,
            http: .init(method: method, path: path, sourceIp: sourceIp, userAgent: userAgent))
        self.body = body
        self.isBase64Encoded = isBase64Encoded
    }

    /// The request method, upper-case.
    public var method: String { requestContext.http.method }

    /// The value of header `name` (any case).
    public func header(_ name: String) -> String? {
        headers[name.lowercased()]
    }

    /// The value of cookie `name`, from `cookies` or else from a `Cookie` header.
    public func cookie(_ name: String) -> String? {
        let pairs = cookies + (header("cookie").map { $0.split(separator: ";").map(String.init) } ?? [])
        for pair in pairs {
            let parts = pair.split(separator: "=", maxSplits: 1).map { $0.trimmingWhitespace() }
            if parts.count == 2, parts[0] == name {
                return parts[1]
            }
        }
        return nil
    }

    /// The body's bytes, decoding base64 when `isBase64Encoded`; `nil` when there is no body or its
    /// base64 is broken.
    public var bodyData: Data? {
        guard let body else { return nil }
        return isBase64Encoded ? Data(base64Encoded: body) : Data(body.utf8)
    }
}

extension HTTPRequest: Codable {
    private enum CodingKeys: String, CodingKey {
        case version, routeKey, rawPath, rawQueryString, cookies, headers, queryStringParameters, pathParameters,
            requestContext, body, isBase64Encoded
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let context = try container.decode(RequestContext.self, forKey: .requestContext)
        version = try container.decodeIfPresent(String.self, forKey: .version) ?? "2.0"
        rawPath = try container.decodeIfPresent(String.self, forKey: .rawPath) ?? context.http.path
        routeKey = try container.decodeIfPresent(String.self, forKey: .routeKey) ?? "\(context.http.method) \(rawPath)"
        rawQueryString = try container.decodeIfPresent(String.self, forKey: .rawQueryString) ?? ""
        cookies = try container.decodeIfPresent([String].self, forKey: .cookies) ?? []
        let rawHeaders = try container.decodeIfPresent([String: String].self, forKey: .headers) ?? [:]
        headers = Dictionary(rawHeaders.map { ($0.key.lowercased(), $0.value) }, uniquingKeysWith: { "\($0),\($1)" })
        queryStringParameters =
            try container.decodeIfPresent([String: String].self, forKey: .queryStringParameters) ?? [:]
        pathParameters = try container.decodeIfPresent([String: String].self, forKey: .pathParameters) ?? [:]
        requestContext = context
        requestContext.http.method = context.http.method.uppercased()
        body = try container.decodeIfPresent(String.self, forKey: .body)
        isBase64Encoded = try container.decodeIfPresent(Bool.self, forKey: .isBase64Encoded) ?? false
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(version, forKey: .version)
        try container.encode(routeKey, forKey: .routeKey)
        try container.encode(rawPath, forKey: .rawPath)
        try container.encode(rawQueryString, forKey: .rawQueryString)
        try container.encode(cookies, forKey: .cookies)
        try container.encode(headers, forKey: .headers)
        try container.encode(queryStringParameters, forKey: .queryStringParameters)
        try container.encode(pathParameters, forKey: .pathParameters)
        try container.encode(requestContext, forKey: .requestContext)
        try container.encodeIfPresent(body, forKey: .body)
        try container.encode(isBase64Encoded, forKey: .isBase64Encoded)
    }
}
