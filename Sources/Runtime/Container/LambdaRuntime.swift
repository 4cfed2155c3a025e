import CurlHTTP
import Foundation
import FunctionKit
import Logging

/// One function as an AWS Lambda custom runtime: the Runtime API loop (`next` → handle → `response` or
/// `error`) against `AWS_LAMBDA_RUNTIME_API`.
///
/// - An HTTP function takes API Gateway HTTP API (v2) events and answers v2 responses, exactly as
///   `ticketing invoke` and the gateway run it.
/// - An event function (a subscription or a schedule target) takes a structured-mode CloudEvent, answered
///   `{"status":"handled"|"duplicate"}` or reported as an error (so Lambda retries it); or an SQS batch
///   (`{"Records":[…]}`, each body a structured CloudEvent), answered with `batchItemFailures` naming the
///   records to be delivered again (those that failed, and those rejected, which end in the queue's
///   dead-letter queue).
public struct LambdaRuntime: Sendable {
    /// The Runtime API's base, e.g. `http://127.0.0.1:9001/2018-06-01/`.
    public let api: URL
    /// The function served.
    public let function: String
    let invoker: Invoker
    let logger: Logger
    private let client = CurlClient(idleLimit: 1)

    /// A runtime for `function` against the Runtime API at `endpoint` (`host:port`, as Lambda sets
    /// `AWS_LAMBDA_RUNTIME_API`).
    public init(endpoint: String, function: String, invoker: Invoker, logger: Logger) throws {
        guard let api = Self.api(endpoint) else {
            throw LambdaRuntimeError("AWS_LAMBDA_RUNTIME_API must be host:port, not '\(endpoint)'")
        }
        self.api = api
        self.function = function
        self.invoker = invoker
        self.logger = logger
    }

    /// `next` blocks until Lambda has an event: no practical limit on it, nor on posting the answer.
    static let requestTimeout = Duration.seconds(24 * 3600)

    static func api(_ endpoint: String) -> URL? {
        let trimmed = endpoint.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty, !trimmed.contains("/"), let url = URL(string: "http://\(trimmed)/2018-06-01/"),
            url.host != nil
        else { return nil }
        return url
    }

    /// Tells Lambda the function could not start (`/runtime/init/error`); the process should then exit.
    public static func reportInitError(endpoint: String, message: String) async {
        guard let api = api(endpoint) else { return }
        let request = CurlRequest(
            method: "POST", url: api.appendingPathComponent("runtime/init/error").absoluteString,
            headers: [
                CurlHeader("Lambda-Runtime-Function-Error-Type", "Runtime.InitError"),
                CurlHeader("content-type", "application/json"),
            ],
            body: errorBody(message, type: "Runtime.InitError"), timeout: .seconds(30))
        _ = try? await CurlClient(idleLimit: 0).send(request)
    }

    /// Takes events and answers them until the task is cancelled; throws when the Runtime API cannot be
    /// reached (Lambda then replaces the environment).
    public func run() async throws {
        while !Task.isCancelled {
            let next = try await client.send(
                CurlRequest(
                    method: "GET", url: api.appendingPathComponent("runtime/invocation/next").absoluteString,
                    timeout: Self.requestTimeout))
            let body = next.body
            guard next.status == 200, let requestID = next.header("Lambda-Runtime-Aws-Request-Id"), !requestID.isEmpty
            else {
                throw LambdaRuntimeError("the Runtime API answered `next` without an event")
            }
            let invocation = api.appendingPathComponent("runtime/invocation").appendingPathComponent(requestID)
            do {
                let answer = try await handle(
                    body, requestID: requestID,
                    traceHeader: next.header("Lambda-Runtime-Trace-Id")
                        ?? ProcessInfo.processInfo.environment["_X_AMZN_TRACE_ID"])
                try await post(answer, to: invocation.appendingPathComponent("response"))
            } catch let error as LambdaInvocationError {
                logger.warning("invocation failed", metadata: ["request": "\(requestID)", "error": "\(error)"])
                try await post(
                    Self.errorBody(error.message, type: error.type), to: invocation.appendingPathComponent("error"),
                    errorType: error.type)
            }
        }
    }

    /// The answer to one event. `traceHeader` is Lambda's X-Ray trace header for the invocation
    /// (`Lambda-Runtime-Trace-Id`, the value runtimes give `_X_AMZN_TRACE_ID`): the trace an HTTP request
    /// without `traceparent` or `X-Amzn-Trace-Id` continues, and an event without `traceparent`.
    func handle(_ body: Data, requestID: String, traceHeader: String? = nil) async throws(LambdaInvocationError)
        -> Data
    {
        let lambdaTrace = traceHeader.flatMap(AmazonTraceHeader.trace(from:))
        guard let entry = invoker.registry.entry(named: function) else {
            throw LambdaInvocationError(type: "Runtime.UnknownFunction", message: "unknown function '\(function)'")
        }
        if case .http = entry.declaration.trigger {
            var request: HTTPRequest
            do {
                request = try JSONDecoder().decode(HTTPRequest.self, from: body)
            } catch {
                throw LambdaInvocationError(
                    type: "Runtime.InvalidEvent", message: "not an API Gateway HTTP API (v2) event: \(error)")
            }
            if Invoker.trace(of: request) == nil, let lambdaTrace {
                request.headers["traceparent"] = lambdaTrace.traceparent
            }
            do {
                let started = ContinuousClock.now
                let result = try await invoker.invoke(http: function, request: request)
                logInvocation(requestID, "\(result.response.statusCode)", trace: result.trace, since: started)
                return try JSONEncoder().encode(result.response)
            } catch {
                throw LambdaInvocationError(type: "Runtime.HandlerFailed", message: "\(error)")
            }
        }
        if let batch = try? JSONDecoder().decode(SQSBatch.self, from: body) {
            return await handle(batch)
        }
        let event: CloudEvent
        do {
            event = try CloudEventRequest.structured(Array(body))
        } catch {
            throw LambdaInvocationError(type: "Runtime.InvalidEvent", message: error.description)
        }
        let started = ContinuousClock.now
        let (outcome, trace) = await invocation(of: event, parent: event.trace ?? lambdaTrace)
        logInvocation(requestID, outcome.status, trace: trace, since: started)
        switch outcome {
        case .handled, .duplicate:
            let status = ["status": outcome.status, "id": event.id]
            return (try? JSONEncoder().encode(status)) ?? Data()
        case .rejected(let message):
            throw LambdaInvocationError(type: "Runtime.RejectedEvent", message: message)
        case .failed(let message):
            throw LambdaInvocationError(type: "Runtime.HandlerFailed", message: message)
        case .deferred(let message):
            throw LambdaInvocationError(type: "Runtime.Deferred", message: message)
        }
    }

    private func handle(_ batch: SQSBatch) async -> Data {
        var failures: [[String: String]] = []
        for record in batch.records {
            let outcome: EventOutcome
            do {
                outcome = await self.outcome(of: try CloudEventRequest.structured(Array(record.body.utf8)))
            } catch {
                outcome = .rejected(error.description)
            }
            switch outcome {
            case .handled, .duplicate:
                continue
            case .rejected(let message), .failed(let message), .deferred(let message):
                logger.warning(
                    "record not handled", metadata: ["record": "\(record.messageId)", "error": "\(message)"])
                failures.append(["itemIdentifier": record.messageId])
            }
        }
        return (try? JSONEncoder().encode(["batchItemFailures": failures])) ?? Data()
    }

    private func outcome(of event: CloudEvent) async -> EventOutcome {
        await invocation(of: event, parent: event.trace).outcome
    }

    private func invocation(of event: CloudEvent, parent: TraceContext?) async -> (
        outcome: EventOutcome, trace: TraceContext?
    ) {
        do {
            let invocation = try await invoker.invoke(event: function, event: event, parent: parent)
            return (invocation.outcome, invocation.trace)
        } catch {
            return (.failed("\(error)"), nil)
        }
    }

    /// One line an invocation (at info, as the gateway logs a request): how it ended, and its trace.
    private func logInvocation(
        _ requestID: String, _ status: String, trace: TraceContext?, since started: ContinuousClock.Instant
    ) {
        guard logger.logLevel <= .info else { return }
        logger.info(
            "invocation \(requestID) \(status) \((ContinuousClock.now - started).logText)",
            metadata: Gateway.accessMetadata(function: function, requestID: requestID, trace: trace))
    }

    private func post(_ body: Data, to url: URL, errorType: String? = nil) async throws {
        var headers = [CurlHeader("content-type", "application/json")]
        if let errorType { headers.append(CurlHeader("Lambda-Runtime-Function-Error-Type", errorType)) }
        _ = try await client.send(
            CurlRequest(
                method: "POST", url: url.absoluteString, headers: headers, body: body, timeout: Self.requestTimeout))
    }

    static func errorBody(_ message: String, type: String) -> Data {
        (try? JSONEncoder().encode(["errorMessage": message, "errorType": type])) ?? Data()
    }

    /// An SQS event: the records Lambda took from the queue.
    struct SQSBatch: Decodable {
        struct Record: Decodable {
            var messageId: String
            var body: String
        }
        var records: [Record]

        enum CodingKeys: String, CodingKey {
            case records = "Records"
        }
    }
}

/// One invocation that ends in Lambda's error report.
struct LambdaInvocationError: Error, CustomStringConvertible {
    var type: String
    var message: String
    var description: String { "\(type): \(message)" }
}

/// A Lambda environment that cannot be used, as one line.
public struct LambdaRuntimeError: Error, CustomStringConvertible, Equatable {
    /// The line.
    public let description: String

    init(_ description: String) {
        self.description = description
    }
}
