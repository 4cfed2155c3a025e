import CurlHTTP
import Foundation
import FunctionKit

/// Functions running elsewhere — each in its own container under `ticketing function` — reached by POSTing
/// each event to the function's URL as a binary-mode CloudEvent, the way a Knative trigger would; or a sink
/// (`K_SINK`, a Knative Broker say) that takes every event and routes it on by its `type`.
///
/// The container's answer is the outcome: 2xx is handled (`{"status":"duplicate"}` when its inbox already
/// had the event), any other 4xx is rejected (retrying cannot help: dead-lettered at once), and 5xx, 429,
/// 408, a time-out or no answer are failures, retried with backoff like a failing handler in-process.
public struct RemoteFunctions: Sendable {
    /// Each function's URL.
    public let urls: [String: URL]
    /// Where every event goes instead, when set.
    public let sink: URL?
    /// The functions whose URL is an SQS queue's, and the queue.
    public let queues: [String: SQSQueue]
    private let timeouts: [String: TimeInterval]
    private let defaultTimeout: TimeInterval
    private let client = CurlClient(idleLimit: 64)
    private let credentials: AWSCredentialSource?

    /// Creates the target for `urls`, or for `sink` when given. A delivery to a function may take its
    /// `timeouts` entry (its handler's time-out plus a margin, say), else `timeout` seconds. A URL naming an SQS
    /// queue (``SQSQueue``) gets the function's events as messages, signed with the AWS credentials `environment`
    /// leads to (``AWSCredentialSource``), in its `AWS_REGION` unless the URL says.
    public init(
        urls: [String: URL] = [:], sink: URL? = nil, timeout: TimeInterval = 60,
        timeouts: [String: TimeInterval] = [:], environment: [String: String] = [:]
    ) throws {
        self.urls = urls
        self.sink = sink
        self.timeouts = timeouts
        defaultTimeout = timeout
        let region = environment["AWS_REGION"] ?? environment["AWS_DEFAULT_REGION"]
        var queues: [String: SQSQueue] = [:]
        for (name, url) in urls {
            if let queue = try SQSQueue.parse(url, defaultRegion: region) { queues[name] = queue }
        }
        self.queues = queues
        credentials = queues.isEmpty ? nil : AWSCredentialSource(environment: environment)
    }

    /// How long a delivery to `consumer` may take.
    public func timeout(for consumer: String) -> TimeInterval {
        timeouts[consumer] ?? defaultTimeout
    }

    /// Reads `name=url` pairs separated by commas or whitespace (the `FUNCTION_URLS` form), or says in one
    /// line what is wrong.
    public static func parse(_ text: String) throws -> [String: URL] {
        var urls: [String: URL] = [:]
        for pair in text.split(whereSeparator: { $0 == "," || $0.isWhitespace }) {
            let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, !parts[0].isEmpty, let url = URL(string: parts[1]),
                let scheme = url.scheme?.lowercased(), ["http", "https", "sqs+http", "sqs+https"].contains(scheme),
                url.host != nil
            else {
                throw RemoteFunctionsError(
                    "function URLs are name=http(s)://host:port pairs (or an SQS queue's URL), not '\(pair)'")
            }
            urls[parts[0]] = url
        }
        return urls
    }

    /// Reads a sink's URL (`K_SINK`), or says in one line what is wrong.
    public static func parseSink(_ text: String) throws -> URL {
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(),
            scheme == "http" || scheme == "https", url.host != nil
        else {
            throw RemoteFunctionsError("K_SINK must be an http(s)://host:port URL, not '\(text)'")
        }
        return url
    }

    /// The target the dispatcher and the scheduler use.
    public var target: DeliveryTarget {
        DeliveryTarget { event, consumer, trace in await deliver(event, to: consumer, trace: trace) }
    }

    /// POSTs `event` to `consumer`'s URL and reads the outcome from the answer; `trace` (the delivery's span)
    /// goes as the HTTP `traceparent`, the parent of the invocation's span.
    public func deliver(_ event: CloudEvent, to consumer: String, trace: TraceContext? = nil) async -> EventInvocation {
        guard let url = sink ?? urls[consumer] else {
            return EventInvocation(outcome: .rejected("no URL is configured for function '\(consumer)'"), effects: [])
        }
        if sink == nil, let queue = queues[consumer], let credentials {
            let outcome = await queue.send(
                event, credentials: credentials, client: client, timeout: timeout(for: consumer))
            return EventInvocation(outcome: outcome, effects: [])
        }
        let request = CurlRequest(
            method: "POST", url: url.absoluteString,
            headers: Self.headers(of: event, trace: trace).sorted { $0.key < $1.key }.map {
                CurlHeader($0.key, $0.value)
            },
            body: try? event.data.map { Data(try JSONCoding.string($0).utf8) },
            timeout: .milliseconds(Int64(timeout(for: consumer) * 1000)))
        let data: Data
        let status: Int
        do {
            let answer = try await client.send(request)
            data = answer.body
            status = answer.status
        } catch {
            let name = sink == nil ? consumer : "the sink"
            return EventInvocation(outcome: .failed("\(name) at \(url.absoluteString): \(error)"), effects: [])
        }
        return EventInvocation(outcome: Self.outcome(status: status, body: data), effects: [])
    }

    /// The binary-mode headers of `event`: its attributes as `ce-` fields, percent-encoded where needed; and
    /// the delivery's `trace` as `traceparent` and `tracestate` (the event's own are `ce-traceparent` and
    /// `ce-tracestate`, as the CloudEvents distributed tracing extension maps them).
    static func headers(of event: CloudEvent, trace: TraceContext? = nil) -> [String: String] {
        var headers = [
            "ce-specversion": event.specversion, "ce-id": event.id, "ce-source": event.source, "ce-type": event.type,
        ]
        headers["ce-time"] = event.time
        headers["ce-dataschema"] = event.dataschema
        headers["ce-subject"] = event.subject
        headers["ce-traceparent"] = event.traceparent
        headers["ce-tracestate"] = event.tracestate
        headers["traceparent"] = trace?.traceparent
        headers["tracestate"] = trace?.tracestate
        if event.data != nil { headers["content-type"] = "application/json" }
        let allowed = CharacterSet(
            charactersIn: " !#$&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[]^_`abcdefghijklmnopqrstuvwxyz{|}~"
        )
        return headers.mapValues { $0.addingPercentEncoding(withAllowedCharacters: allowed) ?? $0 }
    }

    /// Whether an error body says the event was deferred (``FunctionServer``'s 503 with code `deferred`).
    private static func deferred(_ body: Data) -> Bool {
        let reply = try? JSONDecoder().decode(ErrorBody.self, from: body)
        return reply?.errors.contains { $0.code == FunctionServer.deferredCode } ?? false
    }

    /// How a delivery ended, from the container's HTTP answer.
    static func outcome(status: Int, body: Data) -> EventOutcome {
        let text = String(decoding: body.prefix(2000), as: UTF8.self)
        switch status {
        case 200..<300:
            let reply = try? JSONDecoder().decode([String: String].self, from: body)
            return reply?["status"] == "duplicate" ? .duplicate : .handled
        case 503 where deferred(body):
            return .deferred("HTTP \(status): \(text)")
        case 408, 429, 500...:
            return .failed("HTTP \(status): \(text)")
        default:
            return .rejected("HTTP \(status): \(text)")
        }
    }
}

/// Function URLs that cannot be used, as one line.
public struct RemoteFunctionsError: Error, CustomStringConvertible, Equatable {
    /// The line.
    public let description: String

    init(_ description: String) {
        self.description = description
    }
}
