/// A route the gateway answers itself, before any function's: it belongs to the runtime, not to
/// functions.yaml, and its body's schema is `events/schemas/http/gateway/<name>.response.json`.
public struct GatewayRoute: Sendable, Equatable {
    /// The route's name: its operation id in the OpenAPI document is `gateway-<name>`.
    public var name: String
    /// The HTTP method.
    public var method: String
    /// The path.
    public var path: String
    /// What it answers, in a few words.
    public var summary: String
}

extension Gateway {
    /// `GET /health`: whether every service's store answers.
    public static let healthRoute = GatewayRoute(
        name: "health", method: "GET", path: "/health", summary: "Whether every service's store answers")
    /// `GET /health/live`: the liveness probe, 200 while the process answers.
    public static let liveRoute = GatewayRoute(
        name: "health-live", method: "GET", path: "/health/live", summary: "Liveness: the process answers")
    /// `GET /health/ready`: the readiness probe.
    public static let readyRoute = GatewayRoute(
        name: "health-ready", method: "GET", path: "/health/ready",
        summary: "Readiness: every store answers (migrations done) and delivery is not stalled")
    /// `GET /openapi.json`: the OpenAPI document (when the gateway is given one, as under `serve`).
    public static let openAPIRoute = GatewayRoute(
        name: "openapi", method: "GET", path: "/openapi.json", summary: "The OpenAPI document of the HTTP API")
    /// The routes the gateway answers itself.
    public static let ownRoutes = [healthRoute, liveRoute, readyRoute, openAPIRoute]
}
