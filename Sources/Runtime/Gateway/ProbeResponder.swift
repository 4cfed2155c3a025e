import FunctionKit
import Hummingbird
import Logging

/// Answers only the health probes (`/health`, `/health/live`, `/health/ready`), for a process with no HTTP API
/// of its own — `ticketing dispatcher` — so that an orchestrator can probe it. Any other request is 404.
public struct ProbeResponder: HTTPResponder {
    public typealias Context = GatewayContext

    private let gateway: Gateway

    /// Probes over `invoker`'s stores and `readiness` (the delivery loops the process runs).
    public init(invoker: Invoker, readiness: [ReadinessCheck], logger: Logger) {
        gateway = Gateway(invoker: invoker, readiness: readiness, logger: logger)
    }

    public func respond(to request: Request, context: GatewayContext) async throws -> Response {
        let answer = await gateway.probe(method: request.method.rawValue, path: request.uri.path)
        return Gateway.httpResponse(answer ?? FunctionError.notFound.response)
    }
}
