import Foundation
import FunctionKit
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// The HTTP front of a deployment where each function runs in its own container: it matches each request
/// against the manifest's routes, exactly as the in-process ``Gateway`` does, and forwards it to that
/// function's container. Unknown routes answer 404 in the SPEC error shape, bodies over the limit 413, a
/// container that cannot be reached 502, and one that does not answer within its function's timeout (plus
/// a margin) 504. Redirects are passed back to the client, never followed. `GET /health` answers for the
/// proxy itself. A browser asking for a page no route matches gets the manifest's `notFound` page, fetched
/// from that function's container on its own route.
public struct FunctionProxy: HTTPResponder {
    public typealias Context = GatewayContext

    let registry: FunctionRegistry
    let urls: [String: URL]
    let bodyLimit: Int
    let logger: Logger
    private let session: URLSession

    /// Forwards to `urls`, which must hold every HTTP function of `registry`.
    public init(
        registry: FunctionRegistry, urls: [String: URL], bodyLimit: Int = Gateway.defaultBodyLimit, logger: Logger
    ) {
        self.registry = registry
        self.urls = urls
        self.bodyLimit = bodyLimit
        self.logger = logger
        let configuration = URLSessionConfiguration.ephemeral
        configuration.httpShouldSetCookies = false
        configuration.httpCookieAcceptPolicy = .never
        configuration.timeoutIntervalForRequest = 900 + Self.timeoutMargin
        configuration.timeoutIntervalForResource = 900 + Self.timeoutMargin
        configuration.httpMaximumConnectionsPerHost = 256
        session = URLSession(configuration: configuration, delegate: RedirectsPassedBack(), delegateQueue: nil)
    }

    /// Seconds a container may take beyond its function's timeout before the proxy answers 504: time for
    /// the function's own 504 to come back.
    static let timeoutMargin: TimeInterval = 5

    public func respond(to request: Request, context: GatewayContext) async throws -> Response {
        let method = request.method.rawValue
        let path = request.uri.path
        if method == "GET" && path == "/health" {
            return Gateway.httpResponse((try? .json(200, ["status": "ok"])) ?? .init(statusCode: 200))
        }
        guard let (entry, _, _) = registry.route(method: method, path: path) else {
            // A browser asking for a page gets the manifest's not-found page, from its own container.
            guard
                let (page, route) = registry.notFoundPage(method: method, path: path, accept: request.headers[.accept]),
                let base = urls[page.name]
            else { return Gateway.httpResponse(FunctionError.notFound.response) }
            return await forward(request, entry: page, base: base, target: route.path)
        }
        guard let base = urls[entry.name] else { return Gateway.httpResponse(FunctionError.notFound.response) }
        return await forward(
            request, entry: entry, base: base, target: path + (request.uri.query.map { "?\($0)" } ?? ""))
    }

    /// Forwards `request` to `target` (a path and query) on `entry`'s container at `base`.
    private func forward(_ request: Request, entry: FunctionRegistry.Entry, base: URL, target: String) async
        -> Response
    {
        let method = request.method.rawValue
        var request = request
        let body: ByteBuffer
        do {
            body = try await request.collectBody(upTo: bodyLimit)
        } catch {
            return Gateway.httpResponse(FunctionError.payloadTooLarge.response)
        }
        // The target as text, parsed by the failable initializer (URLComponents' percent-encoded setters trap
        // on a malformed escape): what the client sent is forwarded as it came, for the function to judge,
        // and what cannot be a URL at all is a 400, never a crash.
        let root = base.absoluteString.hasSuffix("/") ? String(base.absoluteString.dropLast()) : base.absoluteString
        guard let url = URL(string: root + target), url.host == base.host else {
            return Gateway.httpResponse(FunctionError.badRequest("The request's path or query is malformed").response)
        }
        var forwarded = URLRequest(url: url)
        forwarded.httpMethod = method
        forwarded.timeoutInterval = registry.timeout(of: entry.name) + Self.timeoutMargin
        for field in request.headers where !Self.hopByHop.contains(field.name.canonicalName.lowercased()) {
            forwarded.addValue(field.value, forHTTPHeaderField: field.name.canonicalName)
        }
        if body.readableBytes > 0 { forwarded.httpBody = Data(buffer: body) }
        do {
            let (data, response) = try await session.data(for: forwarded)
            guard let http = response as? HTTPURLResponse else { throw URLError(.badServerResponse) }
            var fields = HTTPFields()
            for (name, value) in http.allHeaderFields {
                guard let name = name as? String, let value = value as? String,
                    !Self.hopByHop.contains(name.lowercased()), let fieldName = HTTPField.Name(name)
                else { continue }
                fields.append(HTTPField(name: fieldName, value: value))
            }
            return Response(
                status: .init(code: http.statusCode), headers: fields,
                body: .init(byteBuffer: ByteBuffer(bytes: data)))
        } catch let error as URLError where error.code == .timedOut {
            logger.error("function timed out", metadata: ["function": "\(entry.name)"])
            return Gateway.httpResponse(.errorResponse(504, [ErrorDetail(message: "Function timed out")]))
        } catch {
            logger.error("function unreachable", metadata: ["function": "\(entry.name)", "error": "\(error)"])
            return Gateway.httpResponse(
                .errorResponse(502, [ErrorDetail(message: "The function \(entry.name) is unavailable")]))
        }
    }

    /// Fields that belong to one connection, not to the request or response forwarded.
    static let hopByHop: Set<String> = [
        "connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade", "te", "trailer", "host",
        "content-length",
    ]
}

/// Hands a container's redirect back to the client as it came, as any reverse proxy does.
private final class RedirectsPassedBack: NSObject, URLSessionTaskDelegate, Sendable {
    func urlSession(
        _ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse,
        newRequest request: URLRequest, completionHandler: @escaping @Sendable (URLRequest?) -> Void
    ) {
        completionHandler(nil)
    }
}
