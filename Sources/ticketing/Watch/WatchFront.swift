import CurlHTTP
import Foundation
import FunctionKit
import Hummingbird
import NIOCore
import Runtime

/// The port `serve --watch` listens on: every request forwarded, as it came, to the build serving now. A
/// request that arrives while builds are swapped waits and is answered by the new build; none is refused.
struct WatchFront: HTTPResponder {
    typealias Context = GatewayContext

    let upstream: Upstream
    let bodyLimit: Int
    /// How long a request may take: the longest function's timeout and a margin.
    let timeout: Duration
    private let forwarder = RequestForwarder()

    init(upstream: Upstream, bodyLimit: Int, timeout: Duration) {
        self.upstream = upstream
        self.bodyLimit = bodyLimit
        self.timeout = timeout
    }

    func respond(to request: Request, context: GatewayContext) async throws -> Response {
        guard let body = await RequestForwarder.body(of: request, upTo: bodyLimit) else {
            return Gateway.httpResponse(FunctionError.payloadTooLarge.response)
        }
        let target = request.uri.path + (request.uri.query.map { "?\($0)" } ?? "")
        var next = await upstream.current()
        // A request taken to a build just as it stopped listening was never sent: it goes to the next build.
        for _ in 0..<3 {
            guard case .serving(let base) = next else { break }
            guard let url = RequestForwarder.url(target, on: base) else {
                return Gateway.httpResponse(
                    FunctionError.badRequest("The request's path or query is malformed").response)
            }
            do {
                let response = try await forwarder.send(request, body: body, to: url, timeout: timeout)
                if let seconds = await upstream.answered(by: base) {
                    Serve.say("watch: first response from the new build \(Self.format(seconds)) after the change")
                }
                return response
            } catch let error as CurlError where error.kind == .couldNotConnect {
                next = await upstream.next(after: base)
            } catch let error as CurlError where error.kind == .timedOut {
                return Gateway.httpResponse(.errorResponse(504, [ErrorDetail(message: "Function timed out")]))
            } catch {
                return Gateway.httpResponse(
                    .errorResponse(502, [ErrorDetail(message: "The server is unavailable: \(error)")]))
            }
        }
        if case .unavailable(let reason) = next {
            return Gateway.httpResponse(.errorResponse(503, [ErrorDetail(message: reason)]))
        }
        return Gateway.httpResponse(.errorResponse(502, [ErrorDetail(message: "The server is unavailable")]))
    }

    /// Seconds with two decimals.
    static func format(_ seconds: Double) -> String {
        String(format: "%.2f s", seconds)
    }
}
