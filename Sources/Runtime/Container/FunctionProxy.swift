import CurlHTTP
import Foundation
import FunctionKit
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// The HTTP front of a deployment where each function runs in its own container: it matches each request
/// against the manifest's routes, exactly as the in-process ``Gateway`` does, and forwards it to that
/// function's container. Unknown routes answer 404 in the SPEC error shape, bodies over the limit 413, a
/// container that cannot be reached 502, and one that does not answer within its function's timeout (plus
/// a margin) 504. Redirects are passed back to the client, never followed. The health probes answer for the
/// proxy itself, and `GET /metrics` with the requests it forwarded, by function. A browser asking for a page no route matches gets the manifest's `notFound` page, fetched
/// from that function's container on its own route.
public struct FunctionProxy: HTTPResponder {
    public typealias Context = GatewayContext

    let registry: FunctionRegistry
    let urls: [String: URL]
    let bodyLimit: Int
    let logger: Logger
    /// Where requests are counted and timed, by the function routed to; `GET /metrics` answers it.
    let metrics: RuntimeMetrics?
    private let forwarder = RequestForwarder()

    /// Forwards to `urls`, which must hold every HTTP function of `registry`.
    public init(
        registry: FunctionRegistry, urls: [String: URL], bodyLimit: Int = Gateway.defaultBodyLimit,
        metrics: RuntimeMetrics? = nil, logger: Logger
    ) {
        self.registry = registry
        self.urls = urls
        self.bodyLimit = bodyLimit
        self.metrics = metrics
        self.logger = logger
    }

    /// Seconds a container may take beyond its function's timeout before the proxy answers 504: time for
    /// the function's own 504 to come back.
    static let timeoutMargin: TimeInterval = 5

    public func respond(to request: Request, context: GatewayContext) async throws -> Response {
        let method = request.method.rawValue
        let path = request.uri.path
        if let probe = Self.probe(method: method, path: path) { return Gateway.httpResponse(probe) }
        if method == "GET", path == Gateway.metricsPath, let metrics {
            return Gateway.httpResponse(await metrics.response())
        }
        let started = ContinuousClock.now
        let (response, function) = await answer(request, method: method, path: path)
        metrics?.request(
            function: function, method: method, status: response.status.code, duration: ContinuousClock.now - started)
        return response
    }

    /// The answer to a request for a function, and the function it was forwarded to.
    private func answer(_ request: Request, method: String, path: String) async -> (Response, String?) {
        guard let (entry, _, _) = registry.route(method: method, path: path) else {
            // A browser asking for a page gets the manifest's not-found page, from its own container.
            guard
                let (page, route) = registry.notFoundPage(method: method, path: path, accept: request.headers[.accept]),
                let base = urls[page.name]
            else { return (Gateway.httpResponse(FunctionError.notFound.response), nil) }
            return (await forward(request, entry: page, base: base, target: route.path), page.name)
        }
        guard let base = urls[entry.name] else {
            return (Gateway.httpResponse(FunctionError.notFound.response), nil)
        }
        let target = path + (request.uri.query.map { "?\($0)" } ?? "")
        return (await forward(request, entry: entry, base: base, target: target), entry.name)
    }

    /// The health probes, answered for the proxy itself (it keeps no store; each function's container answers
    /// its own): `GET /health`, `GET /health/live` and `GET /health/ready`.
    static func probe(method: String, path: String) -> FunctionKit.HTTPResponse? {
        guard method == "GET" else { return nil }
        let body: [String: JSONValue]
        switch path {
        case Gateway.healthRoute.path, Gateway.liveRoute.path: body = ["status": .string("ok")]
        case Gateway.readyRoute.path:
            body = ["status": .string("ready"), "services": .object([:]), "checks": .object([:])]
        default: return nil
        }
        return Gateway.json(200, body)
    }

    /// Forwards `request` to `target` (a path and query) on `entry`'s container at `base`.
    private func forward(_ request: Request, entry: FunctionRegistry.Entry, base: URL, target: String) async
        -> Response
    {
        guard let body = await RequestForwarder.body(of: request, upTo: bodyLimit) else {
            return Gateway.httpResponse(FunctionError.payloadTooLarge.response)
        }
        // What the client sent is forwarded as it came, for the function to judge; what cannot be a URL at all
        // is a 400, never a crash.
        guard let url = RequestForwarder.url(target, on: base) else {
            return Gateway.httpResponse(FunctionError.badRequest("The request's path or query is malformed").response)
        }
        let timeout = Duration.milliseconds(Int64((registry.timeout(of: entry.name) + Self.timeoutMargin) * 1000))
        do {
            return try await forwarder.send(request, body: body, to: url, timeout: timeout)
        } catch let error as CurlError where error.kind == .timedOut {
            logger.error("function timed out", metadata: ["function": "\(entry.name)"])
            return Gateway.httpResponse(.errorResponse(504, [ErrorDetail(message: "Function timed out")]))
        } catch {
            logger.error("function unreachable", metadata: ["function": "\(entry.name)", "error": "\(error)"])
            return Gateway.httpResponse(
                .errorResponse(502, [ErrorDetail(message: "The function \(entry.name) is unavailable")]))
        }
    }
}
