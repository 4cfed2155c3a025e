import FunctionKit
import Hummingbird
import Logging

/// Answers only what the operator asks — the health probes (`/health`, `/health/live`, `/health/ready`) and
/// `/metrics` — for a process with no HTTP API of its own (`ticketing dispatcher`), so that an orchestrator
/// can probe it and Prometheus scrape it. Any other request is 404.
public struct OperationsResponder: HTTPResponder {
    public typealias Context = GatewayContext

    private let gateway: Gateway

    /// Probes over `invoker`'s stores and `readiness` (the delivery loops the process runs), and `metrics`.
    public init(invoker: Invoker, readiness: [ReadinessCheck], metrics: RuntimeMetrics, logger: Logger) {
        gateway = Gateway(invoker: invoker, readiness: readiness, metrics: metrics, logger: logger)
    }

    public func respond(to request: Request, context: GatewayContext) async throws -> Response {
        let answer = await gateway.operations(method: request.method.rawValue, path: request.uri.path)
        return Gateway.httpResponse(answer ?? FunctionError.notFound.response)
    }
}
