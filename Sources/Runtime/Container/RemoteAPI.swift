import Foundation
import FunctionKit

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// The marketplace API reached over HTTP at `base` (the gateway): how a page running in its own container
/// calls the API functions in theirs. Redirects are not followed; the browser's cookies go along.
public struct RemoteAPI: Sendable {
    /// The gateway's URL.
    public let base: URL
    private let session: URLSession

    /// Creates the client.
    public init(base: URL, timeout: TimeInterval = 150) {
        self.base = base
        let configuration = URLSessionConfiguration.ephemeral
        configuration.httpShouldSetCookies = false
        configuration.httpCookieAcceptPolicy = .never
        configuration.timeoutIntervalForRequest = timeout
        configuration.httpMaximumConnectionsPerHost = 64
        session = URLSession(configuration: configuration)
    }

    /// Sends `request` to the gateway and returns its answer in the v2 shape.
    public func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        let root = base.absoluteString.hasSuffix("/") ? String(base.absoluteString.dropLast()) : base.absoluteString
        let query = request.rawQueryString.isEmpty ? "" : "?" + request.rawQueryString
        guard let url = URL(string: root + request.rawPath + query) else {
            return FunctionError.badRequest("The request's path or query is malformed").response
        }
        var forwarded = URLRequest(url: url)
        forwarded.httpMethod = request.method
        for (name, value) in request.headers { forwarded.setValue(value, forHTTPHeaderField: name) }
        if !request.cookies.isEmpty {
            forwarded.setValue(request.cookies.joined(separator: "; "), forHTTPHeaderField: "cookie")
        }
        if let body = request.body {
            forwarded.httpBody = request.isBase64Encoded ? Data(base64Encoded: body) : Data(body.utf8)
        }
        let (data, response) = try await session.data(for: forwarded)
        guard let http = response as? HTTPURLResponse else { throw URLError(.badServerResponse) }
        var headers: [String: String] = [:]
        var cookies: [String] = []
        for (name, value) in http.allHeaderFields {
            guard let name = (name as? String)?.lowercased(), let value = value as? String else { continue }
            if name == "set-cookie" {
                cookies += Self.splitCookies(value)
            } else {
                headers[name] = value
            }
        }
        return HTTPResponse(
            statusCode: http.statusCode, headers: headers, cookies: cookies, body: String(decoding: data, as: UTF8.self)
        )
    }

    /// `Set-Cookie` values that arrived folded into one header, split where a new `name=` starts.
    static func splitCookies(_ folded: String) -> [String] {
        var cookies: [String] = []
        var current = ""
        for part in folded.components(separatedBy: ", ") {
            let startsCookie = part.prefix { $0 != ";" }.contains("=") && !(part.first?.isNumber ?? false)
            if startsCookie, !current.isEmpty {
                cookies.append(current)
                current = part
            } else {
                current = current.isEmpty ? part : current + ", " + part
            }
        }
        if !current.isEmpty { cookies.append(current) }
        return cookies
    }
}
