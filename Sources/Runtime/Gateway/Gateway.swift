import Foundation
import FunctionKit
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// The local HTTP gateway: each request becomes an API Gateway v2 event for the function whose route in
/// functions.yaml matches, and the function's v2 response becomes the HTTP response.
///
/// Unknown routes, and known paths with a method they do not serve, answer 404 in the SPEC error shape (a
/// browser asking for a page gets the manifest's `notFound` page instead); bodies over the limit answer 413.
/// `GET /health` reports whether every service's store answers; `GET /health/live` answers while the process
/// does and `GET /health/ready` once the stores answer (their migrations done) and delivery moves (the probes
/// Kubernetes, Knative and Cloud Run ask); `GET /openapi.json` describes the API.
///
/// A gateway may be limited to one function (container mode): then only that function's route matches,
/// and `GET /health` checks only that function's service.
public struct Gateway: HTTPResponder {
    public typealias Context = GatewayContext

    /// The default request body limit: 1 MiB.
    public static let defaultBodyLimit = 1 << 20

    let invoker: Invoker
    let bodyLimit: Int
    let logger: Logger
    let openAPI: FunctionKit.HTTPResponse?
    /// The one function served, or `nil` for every HTTP function of the registry.
    let function: String?
    /// What `GET /health/ready` checks besides the stores.
    let readiness: [ReadinessCheck]
    /// Where requests are counted, and what `GET /metrics` answers; `nil` counts nothing and answers 404.
    let metrics: RuntimeMetrics?

    /// Creates a gateway over `invoker`'s functions; `openAPI`, when given, is served at `GET /openapi.json`.
    /// With `function`, only that function's route is served and every other request answers 404. `readiness`
    /// (the delivery loops running beside the gateway) is what `GET /health/ready` checks besides the stores.
    public init(
        invoker: Invoker, bodyLimit: Int = Gateway.defaultBodyLimit, openAPI: JSONValue? = nil, function: String? = nil,
        readiness: [ReadinessCheck] = [], metrics: RuntimeMetrics? = nil, logger: Logger
    ) {
        self.invoker = invoker
        self.function = function
        self.readiness = readiness
        self.metrics = metrics
        self.bodyLimit = bodyLimit
        self.logger = logger
        self.openAPI = openAPI.flatMap { try? FunctionKit.HTTPResponse.json(200, $0) }
    }

    /// The access log's `[source]`, the module's name, given rather than derived from the file on every line.
    private static let logSource = "Runtime"

    public func respond(to request: Request, context: GatewayContext) async throws -> Response {
        let started = ContinuousClock.now
        let requestID = request.headers[.requestID].flatMap { $0.isEmpty ? nil : $0 } ?? UUID.random().lowercasedString
        let answer = await answer(request, context: context, requestID: requestID)
        let response = answer.response
        let function = answer.function
        var http = Self.httpResponse(response)
        http.headers[.requestID] = requestID
        let elapsed = ContinuousClock.now - started
        metrics?.request(
            function: function, method: request.method.rawValue, status: response.statusCode, duration: elapsed)
        logger.info(
            "\(request.method.rawValue) \(request.uri.path) \(response.statusCode) \(elapsed.logText)",
            metadata: Self.accessMetadata(function: function, requestID: requestID, trace: answer.trace),
            source: Self.logSource)
        return http
    }

    /// An access line's fields: the function, the request id and, when a function ran, its trace and span ids.
    static func accessMetadata(function: String?, requestID: String, trace: TraceContext?) -> Logger.Metadata {
        guard let trace else { return ["function": .string(function ?? "-"), "request": .string(requestID)] }
        return [
            "function": .string(function ?? "-"), "request": .string(requestID), "trace_id": .string(trace.traceID),
            "span_id": .string(trace.spanID),
        ]
    }

    /// What a request was answered with, by which function, in which span.
    struct Answer {
        var response: FunctionKit.HTTPResponse
        var function: String?
        var trace: TraceContext?

        init(_ response: FunctionKit.HTTPResponse, function: String? = nil) {
            self.response = response
            self.function = function
        }

        init(_ invocation: HTTPInvocation, function: String) {
            response = invocation.response
            self.function = function
            trace = invocation.trace
        }
    }

    private func answer(_ request: Request, context: GatewayContext, requestID: String) async -> Answer {
        let method = request.method.rawValue
        let path = request.uri.path
        if let answer = await operations(method: method, path: path) { return Answer(answer) }
        if method == Self.openAPIRoute.method && path == Self.openAPIRoute.path, let openAPI {
            return Answer(openAPI)
        }
        guard let match = self.match(method: method, path: path) else {
            return await notFound(request, context: context, requestID: requestID)
        }
        var request = request
        let body: ByteBuffer
        do {
            body = try await request.collectBodyIfAny(upTo: bodyLimit)
        } catch {
            return Answer(FunctionError.payloadTooLarge.response, function: match.entry.name)
        }
        let event = Self.event(
            request, body: body, route: match.route, parameters: match.parameters, requestID: requestID,
            sourceIP: context.remoteAddress?.ipAddress, now: invoker.clock.now)
        do {
            return Answer(try await invoker.invoke(http: match.entry.name, request: event), function: match.entry.name)
        } catch {
            logger.error("invocation failed", metadata: ["function": "\(match.entry.name)", "error": "\(error)"])
            return Answer(
                FunctionKit.HTTPResponse.errorResponse(500, [ErrorDetail(message: "Something went wrong")]),
                function: match.entry.name)
        }
    }

    /// The function whose route `method` and `path` match: among all, or only the one served.
    private func match(method: String, path: String) -> (
        entry: FunctionRegistry.Entry, route: Route, parameters: [String: String]
    )? {
        guard let function else { return invoker.registry.route(method: method, path: path) }
        guard let entry = invoker.registry.entry(named: function), case .http(let route) = entry.declaration.trigger,
            route.method == method.uppercased(), let parameters = route.match(path: path)
        else { return nil }
        return (entry, route, parameters)
    }

    /// Where the metrics are answered, in Prometheus's text format (not an operation of the OpenAPI document:
    /// its body is not JSON, and it is for the operator's scraper, not the API's clients).
    public static let metricsPath = "/metrics"

    /// The answer to a request for the operator rather than a function — a health probe (`/health`,
    /// `/health/live`, `/health/ready`) or `/metrics` — or `nil` for any other request.
    func operations(method: String, path: String) async -> FunctionKit.HTTPResponse? {
        guard method == "GET" else { return nil }
        if path == Self.metricsPath, let metrics { return await metrics.response() }
        guard path.hasPrefix(Self.healthRoute.path) else { return nil }
        switch path {
        case Self.healthRoute.path: return await health()
        case Self.liveRoute.path: return Self.json(200, ["status": .string("ok")])
        case Self.readyRoute.path: return await ready()
        default: return nil
        }
    }

    /// `GET /health`: 200 when every service's store answers (only the served function's service when the
    /// gateway serves one function) within ``healthTimeout`` seconds, else 503.
    func health() async -> FunctionKit.HTTPResponse {
        let services = await storeStates()
        let healthy = !services.values.contains("unreachable")
        return Self.json(
            healthy ? 200 : 503,
            [
                "status": .string(healthy ? "ok" : "unavailable"),
                "storage": .string(invoker.storage.description),
                "services": .object(services.mapValues { .string($0) }),
            ])
    }

    /// `GET /health/ready`: 200 when every store answers (opening a store applies its migrations, so they are
    /// done) and every ``readiness`` check passes, else 503 with what is not ready.
    func ready() async -> FunctionKit.HTTPResponse {
        let services = await storeStates()
        var checks: [String: JSONValue] = [:]
        for check in readiness { checks[check.name] = .string(await check.reason() ?? "ok") }
        let ready = !services.values.contains("unreachable") && !checks.values.contains { $0 != .string("ok") }
        return Self.json(
            ready ? 200 : 503,
            [
                "status": .string(ready ? "ready" : "unavailable"),
                "services": .object(services.mapValues { .string($0) }),
                "checks": .object(checks),
            ])
    }

    /// Each checked service (only the served function's when the gateway serves one) and whether its store
    /// answers: `ok` or `unreachable`. Services are asked side by side, so an unreachable server costs one
    /// time-out, not one per service.
    private func storeStates() async -> [String: String] {
        let invoker = self.invoker
        let names = function.flatMap { invoker.registry.entry(named: $0) }.map { [$0.service] }
        let checked = names ?? invoker.registry.services.keys.sorted()
        var services: [String: String] = [:]
        await withTaskGroup(of: (String, Bool).self) { group in
            for service in checked {
                group.addTask { (service, await Self.answers(service, invoker: invoker)) }
            }
            for await (service, answered) in group { services[service] = answered ? "ok" : "unreachable" }
        }
        return services
    }

    /// A JSON response of `body` (a bare `status` should encoding ever fail).
    static func json(_ status: Int, _ body: [String: JSONValue]) -> FunctionKit.HTTPResponse {
        (try? FunctionKit.HTTPResponse.json(status, body)) ?? FunctionKit.HTTPResponse(statusCode: status)
    }

    /// How long `/health` waits for a service's store, in seconds.
    static let healthTimeout = 3.0

    /// Whether `service`'s store answers a query within ``healthTimeout`` on the clock handlers' time limits
    /// run on (real time, except in tests that move it).
    private static func answers(_ service: String, invoker: Invoker) async -> Bool {
        do {
            _ = try await Deadline.run("health", seconds: healthTimeout, on: invoker.deadlineClock) {
                let database = try await invoker.database(for: service)
                return try await database.read { sql in try await sql.raw("SELECT 1 AS ok").all().count }
            }
            return true
        } catch {
            return false
        }
    }

    /// The API Gateway v2 event for an HTTP request.
    static func event(
        _ request: Request, body: ByteBuffer, route: Route, parameters: [String: String], requestID: String,
        sourceIP: String?, now: Date
    ) -> FunctionKit.HTTPRequest {
        var headers: [String: String] = [:]
        var cookies: [String] = []
        for field in request.headers {
            // HTTPTypes keeps names lowercased already (`canonicalName`).
            let name = field.name.canonicalName
            if name == "cookie" {
                cookies += field.value.split(separator: ";").map { $0.trimmingWhitespace() }.filter {
                    !$0.isEmpty
                }
            } else {
                headers[name] = headers[name].map { "\($0),\(field.value)" } ?? field.value
            }
        }
        let rawQuery = request.uri.query ?? ""
        let query = QueryString.parameters(rawQuery)
        let bytes = Array(buffer: body)
        let text = String(validating: bytes, as: UTF8.self)
        return FunctionKit.HTTPRequest(
            method: request.method.rawValue, path: request.uri.path, routeKey: route.routeKey, rawQueryString: rawQuery,
            cookies: cookies, headers: headers, queryStringParameters: query, pathParameters: parameters,
            body: bytes.isEmpty ? nil : text ?? Data(bytes).base64EncodedString(),
            isBase64Encoded: !bytes.isEmpty && text == nil,
            requestId: requestID, sourceIp: sourceIP, userAgent: headers["user-agent"], timeEpoch: now.epochMilliseconds
        )
    }

    /// The HTTP response for a v2 response.
    public static func httpResponse(_ response: FunctionKit.HTTPResponse) -> Response {
        var fields = HTTPFields()
        for (name, value) in response.headers.sorted(by: { $0.key < $1.key }) {
            guard let fieldName = HTTPField.Name(name) else { continue }
            fields[fieldName] = value
        }
        for cookie in response.cookies {
            fields.append(HTTPField(name: .setCookie, value: cookie))
        }
        let body =
            response.isBase64Encoded
            ? ByteBuffer(bytes: Data(base64Encoded: response.body) ?? Data()) : ByteBuffer(string: response.body)
        return Response(status: .init(code: response.statusCode), headers: fields, body: .init(byteBuffer: body))
    }
}

extension HTTPField.Name {
    /// `X-Request-Id`: taken from the client when given, else made up, and echoed on the response.
    static var requestID: HTTPField.Name {
        // The literal is a valid field name; the fallback only satisfies the failable initializer.
        HTTPField.Name("x-request-id") ?? .via
    }
}
