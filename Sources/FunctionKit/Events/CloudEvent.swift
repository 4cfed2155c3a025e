import Contracts
import Foundation

/// A CloudEvents 1.0 event in structured JSON mode.
///
/// `source` + `id` identify an event for de-duplication. `type` is the subject. Unknown attributes are
/// ignored when decoding.
public struct CloudEvent: Codable, Sendable, Equatable {
    /// Always `1.0`.
    public var specversion: String
    /// The event's id, unique within `source`.
    public var id: String
    /// Who produced the event, e.g. `/ticketing/tickets`.
    public var source: String
    /// The subject, e.g. `ticket:created`.
    public var type: String
    /// When the event happened (RFC 3339).
    public var time: String?
    /// `application/json`.
    public var datacontenttype: String?
    /// Where the JSON Schema of `data` lives.
    public var dataschema: String?
    /// What the event is about, e.g. a ticket id.
    public var subject: String?
    /// The payload.
    public var data: JSONValue?
    /// The W3C `traceparent` of the invocation that published the event (CloudEvents distributed tracing
    /// extension): the invocations it causes continue that trace.
    public var traceparent: String?
    /// The W3C `tracestate` that came with `traceparent`.
    public var tracestate: String?

    /// Creates an event; `trace` is the trace context of the invocation that publishes it.
    public init(
        id: String, source: String, type: String, time: String?, data: JSONValue?,
        dataschema: String? = nil, subject: String? = nil, trace: TraceContext? = nil
    ) {
        self.specversion = "1.0"
        self.id = id
        self.source = source
        self.type = type
        self.time = time
        self.datacontenttype = "application/json"
        self.dataschema = dataschema
        self.subject = subject
        self.data = data
        self.traceparent = trace?.traceparent
        self.tracestate = trace?.tracestate
    }

    /// The trace context the event carries, when its `traceparent` is well-formed.
    public var trace: TraceContext? {
        traceparent.flatMap { TraceContext(traceparent: $0, tracestate: tracestate) }
    }

    /// The event as its structured-mode JSON object, the same as encoding it gives, built without an encoder
    /// (every delivered event is checked against its contract in this shape).
    public var jsonValue: JSONValue {
        var members: [String: JSONValue] = [
            "specversion": .string(specversion), "id": .string(id), "source": .string(source), "type": .string(type),
        ]
        if let time { members["time"] = .string(time) }
        if let datacontenttype { members["datacontenttype"] = .string(datacontenttype) }
        if let dataschema { members["dataschema"] = .string(dataschema) }
        if let subject { members["subject"] = .string(subject) }
        if let data { members["data"] = data }
        if let traceparent { members["traceparent"] = .string(traceparent) }
        if let tracestate { members["tracestate"] = .string(tracestate) }
        return .object(members)
    }

    /// The subject this event was published under.
    public var eventSubject: Subject {
        Subject(rawValue: type)
    }

    /// Decodes `data` as `type`, throwing ``FunctionError/invalidEvent(_:)`` when it does not fit.
    public func decodeData<T: Decodable>(as type: T.Type) throws -> T {
        guard let data else {
            throw FunctionError.invalidEvent("event \(id) has no data")
        }
        do {
            return try data.decode(as: type)
        } catch let error as DecodingError {
            throw FunctionError.invalidEvent("event \(id) (\(self.type)): \(error.summary)")
        }
    }

    /// The schema location for a subject's payload.
    public static func schemaLocation(for subject: Subject) -> String {
        "https://ticketing.dev/schemas/events/\(subject.dashed).json"
    }
}

extension DecodingError {
    /// One line saying what did not fit and where.
    public var summary: String {
        func path(_ context: Context) -> String {
            let keys = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }
            return keys.isEmpty ? "the top level" : keys.joined(separator: ".")
        }
        switch self {
        case .typeMismatch(let type, let context): return "\(path(context)): expected \(type)"
        case .valueNotFound(let type, let context): return "\(path(context)): missing \(type) value"
        case .keyNotFound(let key, let context):
            let parent = path(context)
            return "\(parent == "the top level" ? "" : parent + ".")\(key.stringValue): required field is missing"
        case .dataCorrupted(let context): return "\(path(context)): \(context.debugDescription)"
        @unknown default: return "\(self)"
        }
    }
}
