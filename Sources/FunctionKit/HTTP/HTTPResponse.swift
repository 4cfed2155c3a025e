import Foundation

/// An HTTP response in API Gateway HTTP API (payload format 2.0) shape.
public struct HTTPResponse: Codable, Sendable, Equatable {
    /// The status code.
    public var statusCode: Int
    /// Response headers.
    public var headers: [String: String]
    /// `Set-Cookie` values, one per cookie.
    public var cookies: [String]
    /// The body, as text or base64 (see `isBase64Encoded`).
    public var body: String
    /// Whether `body` is base64.
    public var isBase64Encoded: Bool

    /// Creates a response.
    public init(
        statusCode: Int, headers: [String: String] = [:], cookies: [String] = [], body: String = "",
        isBase64Encoded: Bool = false
    ) {
        self.statusCode = statusCode
        self.headers = headers
        self.cookies = cookies
        self.body = body
        self.isBase64Encoded = isBase64Encoded
    }

    /// A response whose body is `value` as JSON.
    public static func json(
        _ status: Int, _ value: some Encodable, headers: [String: String] = [:], cookies: [String] = []
    ) throws -> HTTPResponse {
        var allHeaders = headers
        allHeaders["content-type"] = "application/json; charset=utf-8"
        return HTTPResponse(
            statusCode: status, headers: allHeaders, cookies: cookies, body: try JSONCoding.string(value))
    }

    /// An empty response, e.g. 204.
    public static func empty(_ status: Int) -> HTTPResponse {
        HTTPResponse(statusCode: status)
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        statusCode = try container.decode(Int.self, forKey: .statusCode)
        headers = try container.decodeIfPresent([String: String].self, forKey: .headers) ?? [:]
        cookies = try container.decodeIfPresent([String].self, forKey: .cookies) ?? []
        body = try container.decodeIfPresent(String.self, forKey: .body) ?? ""
        isBase64Encoded = try container.decodeIfPresent(Bool.self, forKey: .isBase64Encoded) ?? false
    }

    /// The body parsed as JSON, or `nil` when it is not JSON.
    public var jsonBody: JSONValue? {
        guard !body.isEmpty else { return nil }
        return try? JSONValue(parsing: isBase64Encoded ? Data(base64Encoded: body) ?? Data() : Data(body.utf8))
    }
}
