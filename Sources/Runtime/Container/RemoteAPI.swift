import CurlHTTP
import Foundation
import FunctionKit

/// The marketplace API reached over HTTP at `base` (the gateway): how a page running in its own container
/// calls the API functions in theirs. Redirects are not followed; the browser's cookies go along.
public struct RemoteAPI: Sendable {
    /// The gateway's URL.
    public let base: URL
    /// How long one call may take.
    public let timeout: Duration
    private let client = CurlClient(idleLimit: 64)

    /// Creates the client.
    public init(base: URL, timeout: TimeInterval = 150) {
        self.base = base
        self.timeout = .milliseconds(Int64(timeout * 1000))
    }

    /// Sends `request` to the gateway and returns its answer in the v2 shape.
    public func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        let root = base.absoluteString.hasSuffix("/") ? String(base.absoluteString.dropLast()) : base.absoluteString
        let query = request.rawQueryString.isEmpty ? "" : "?" + request.rawQueryString
        guard let url = URL(string: root + request.rawPath + query) else {
            return FunctionError.badRequest("The request's path or query is malformed").response
        }
        // The request's own fields, less those of its connection (libcurl writes its own) and the cookies,
        // which the v2 shape keeps apart.
        let skipped = RequestForwarder.hopByHop.union(request.cookies.isEmpty ? [] : ["cookie"])
        var headers = request.headers.sorted { $0.key < $1.key }.filter { !skipped.contains($0.key.lowercased()) }.map {
            CurlHeader($0.key, $0.value)
        }
        if !request.cookies.isEmpty { headers.append(CurlHeader("cookie", request.cookies.joined(separator: "; "))) }
        let body = request.body.flatMap { request.isBase64Encoded ? Data(base64Encoded: $0) : Data($0.utf8) }
        let answer = try await client.send(
            CurlRequest(method: request.method, url: url.absoluteString, headers: headers, body: body, timeout: timeout)
        )
        var fields: [String: String] = [:]
        var cookies: [String] = []
        for header in answer.headers {
            let name = header.name.lowercased()
            if name == "set-cookie" {
                cookies += Self.splitCookies(header.value)
            } else if let earlier = fields[name] {
                fields[name] = earlier + ", " + header.value
            } else {
                fields[name] = header.value
            }
        }
        return HTTPResponse(
            statusCode: answer.status, headers: fields, cookies: cookies,
            body: String(decoding: answer.body, as: UTF8.self)
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
