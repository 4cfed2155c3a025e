import Foundation
import FunctionKit
import Synchronization

/// How the pages reach the marketplace's HTTP API (SPEC §5): every page is a client of the same API the
/// JSON clients use, as a server-rendered front end calling its backend.
///
/// `serve` binds it to the runtime's own HTTP functions, invoked in-process; a container serving a page binds
/// it to the gateway over HTTP (`API_URL`). It is bound once, after the runtime that owns the functions is
/// built, which is why it is a reference.
public final class MarketplaceAPI: Sendable {
    /// Sends one API Gateway v2 request and returns the function's response.
    public typealias Send = @Sendable (HTTPRequest) async throws -> HTTPResponse

    private let sender: Mutex<Send?>

    /// An API not yet bound: ``bind(_:)`` it before the first page is served.
    public init() {
        sender = Mutex(nil)
    }

    /// An API that sends through `send`.
    public init(send: @escaping Send) {
        sender = Mutex(send)
    }

    /// Routes every later call through `send`.
    public func bind(_ send: @escaping Send) {
        sender.withLock { $0 = send }
    }

    /// Calls `method path` with the browser's `cookies` (its session) and `body` as JSON.
    func call(
        _ method: String, _ path: String, query: [String: String] = [:], body: [String: JSONValue]? = nil,
        cookies: [String]
    ) async throws -> APIReply {
        guard let send = sender.withLock({ $0 }) else { throw APIUnavailable() }
        var components = URLComponents()
        components.queryItems = query.isEmpty ? nil : query.sorted { $0.key < $1.key }.map(URLQueryItem.init)
        let request = HTTPRequest(
            method: method, path: path, rawQueryString: components.percentEncodedQuery ?? "", cookies: cookies,
            headers: body == nil ? [:] : ["content-type": "application/json"], queryStringParameters: query,
            body: try body.map { try JSONCoding.string($0) })
        return APIReply(try await send(request))
    }
}

/// The API could not be called at all (not bound, or the gateway unreachable).
struct APIUnavailable: Error, CustomStringConvertible {
    var description: String { "The marketplace API is unavailable" }
}

/// One answer of the API.
struct APIReply: Sendable {
    /// The status code.
    var status: Int
    /// The body.
    var body: Data
    /// `Set-Cookie` values to hand on to the browser (a session issued or cleared).
    var cookies: [String]
    /// Response headers, lower-cased names.
    var headers: [String: String]

    init(_ response: HTTPResponse) {
        status = response.statusCode
        body =
            response.isBase64Encoded ? Data(base64Encoded: response.body) ?? Data() : Data(response.body.utf8)
        cookies = response.cookies
        headers = Dictionary(
            response.headers.map { ($0.key.lowercased(), $0.value) }, uniquingKeysWith: { first, _ in first })
    }

    /// Whether the status is 2xx.
    var succeeded: Bool { (200..<300).contains(status) }

    /// The body decoded as `type`.
    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        try JSONDecoder().decode(type, from: body)
    }

    /// The first error's message.
    var message: String { errors.first?.message ?? "Something went wrong (HTTP \(status))" }

    /// The SPEC error shape's entries; a generic one when the body has none.
    var errors: [ErrorDetail] {
        let decoded = (try? JSONDecoder().decode(ErrorBody.self, from: body))?.errors ?? []
        return decoded.isEmpty ? [ErrorDetail(message: "Something went wrong (HTTP \(status))")] : decoded
    }
}
