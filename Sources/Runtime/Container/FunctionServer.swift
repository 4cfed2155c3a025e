import Foundation
import FunctionKit
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// Container mode's HTTP face (the Knative / Cloud Run contract): serves exactly one function.
///
/// - An HTTP function answers on its own route only, as the ``Gateway`` would; every other request is 404.
/// - An event function (a subscription or a schedule target) takes one CloudEvent per `POST /`, in binary or
///   structured mode (see ``CloudEventRequest``), and answers 200 `{"status":"handled"}` or
///   `{"status":"duplicate"}`; 400 when the event is malformed or rejected (retrying will not help); 500 when
///   the handler failed (retry); 503 with error code `deferred` when it waits for an earlier event (retry
///   later without counting an attempt); 413 when the body is over the limit.
/// - Both answer `GET /health` and `GET /health/ready`, checking the function's service store, and
///   `GET /health/live`.
///
/// What the function publishes or schedules stays in its service's outbox, for a dispatcher to deliver.
public struct FunctionServer: HTTPResponder {
    public typealias Context = GatewayContext

    /// The function served.
    public let function: String
    let invoker: Invoker
    let bodyLimit: Int
    let logger: Logger
    /// Serves the HTTP function, and the health probes for either kind.
    let gateway: Gateway
    /// Whether the function takes events rather than HTTP requests.
    let takesEvents: Bool

    /// Serves `function` of `invoker`'s registry.
    ///
    /// - Throws: ``InvocationError/unknownFunction(_:known:)`` when no function has that name.
    /// Requests are counted in `metrics`, which `GET /metrics` answers (nothing is counted without).
    public init(
        function: String, invoker: Invoker, bodyLimit: Int = Gateway.defaultBodyLimit, metrics: RuntimeMetrics? = nil,
        logger: Logger
    ) throws {
        guard let entry = invoker.registry.entry(named: function) else {
            throw InvocationError.unknownFunction(function, known: invoker.registry.entries.map(\.name))
        }
        self.function = function
        self.invoker = invoker
        self.bodyLimit = bodyLimit
        self.logger = logger
        self.gateway = Gateway(
            invoker: invoker, bodyLimit: bodyLimit, function: function, metrics: metrics, logger: logger)
        if case .http = entry.declaration.trigger {
            takesEvents = false
        } else {
            takesEvents = true
        }
    }

    public func respond(to request: Request, context: GatewayContext) async throws -> Response {
        guard takesEvents else {
            return try await gateway.respond(to: request, context: context)
        }
        let started = ContinuousClock.now
        let requestID = request.headers[.requestID].flatMap { $0.isEmpty ? nil : $0 } ?? UUID.random().lowercasedString
        let (response, trace) = await answer(request)
        var http = Gateway.httpResponse(response)
        http.headers[.requestID] = requestID
        let elapsed = ContinuousClock.now - started
        gateway.metrics?.request(
            function: request.uri.path == "/" ? function : nil, method: request.method.rawValue,
            status: response.statusCode, duration: elapsed)
        logger.info(
            "\(request.method.rawValue) \(request.uri.path) \(response.statusCode) \(elapsed.logText)",
            metadata: Gateway.accessMetadata(function: function, requestID: requestID, trace: trace))
        return http
    }

    /// The answer to a request for an event function.
    private func answer(_ request: Request) async -> (FunctionKit.HTTPResponse, TraceContext?) {
        let path = request.uri.path
        if let probe = await gateway.operations(method: request.method.rawValue, path: path) { return (probe, nil) }
        guard request.method == .post && path == "/" else {
            return (FunctionError.notFound.response, nil)
        }
        var request = request
        let body: ByteBuffer
        do {
            body = try await request.collectBodyIfAny(upTo: bodyLimit)
        } catch {
            return (FunctionError.payloadTooLarge.response, nil)
        }
        var headers: [String: String] = [:]
        for field in request.headers {
            let name = field.name.canonicalName.lowercased()
            headers[name] = headers[name].map { "\($0),\(field.value)" } ?? field.value
        }
        let event: CloudEvent
        do {
            event = try CloudEventRequest.decode(headers: headers, body: Array(buffer: body)).event
        } catch {
            return (FunctionError.invalidEvent(error.description).response, nil)
        }
        do {
            // The HTTP `traceparent` is the delivery's span (the dispatcher's); without one, the event's own.
            let delivery = headers["traceparent"].flatMap {
                TraceContext(traceparent: $0, tracestate: headers["tracestate"])
            }
            let invocation = try await invoker.invoke(event: function, event: event, parent: delivery)
            return (Self.response(invocation.outcome, event: event), invocation.trace)
        } catch {
            logger.error("invocation failed", metadata: ["function": "\(function)", "error": "\(error)"])
            return (FunctionKit.HTTPResponse.errorResponse(500, [ErrorDetail(message: "Something went wrong")]), nil)
        }
    }

    /// The error code of a 503 that defers an event (``EventOutcome/deferred(_:)``).
    static let deferredCode = "deferred"

    /// The HTTP answer for how an event invocation ended: 2xx means "do not send it again".
    static func response(_ outcome: EventOutcome, event: CloudEvent) -> FunctionKit.HTTPResponse {
        switch outcome {
        case .handled, .duplicate:
            let body: [String: String] = ["status": outcome.status, "id": event.id, "source": event.source]
            return (try? FunctionKit.HTTPResponse.json(200, body)) ?? FunctionKit.HTTPResponse(statusCode: 200)
        case .rejected(let message):
            return FunctionKit.HTTPResponse.errorResponse(400, [ErrorDetail(message: message, code: "rejected")])
        case .failed(let message):
            return FunctionKit.HTTPResponse.errorResponse(500, [ErrorDetail(message: message, code: "failed")])
        case .deferred(let message):
            // 503 asks any sender to try again later; the code tells the runtime's dispatcher not to count it.
            return FunctionKit.HTTPResponse.errorResponse(
                503, [ErrorDetail(message: message, code: Self.deferredCode)])
        }
    }
}
