import Foundation
import FunctionKit

/// Reads a CloudEvent out of an HTTP request, per the CloudEvents 1.0 HTTP protocol binding.
///
/// Two modes are understood:
/// - **binary**: the attributes travel in `ce-` headers (`ce-specversion`, `ce-id`, `ce-source`, `ce-type`,
///   and optionally `ce-time`, `ce-dataschema`, `ce-subject`, `ce-traceparent`, `ce-tracestate`); the body is
///   the event's data, JSON;
/// - **structured**: `content-type: application/cloudevents+json`, and the body is the whole event.
///
/// Batched mode (`application/cloudevents-batch+json`) is refused: a container takes one event per request.
public enum CloudEventRequest {
    /// How the event was carried.
    public enum Mode: String, Sendable, Equatable {
        /// Attributes in `ce-` headers, data in the body.
        case binary
        /// The whole event as JSON in the body.
        case structured
    }

    /// Why a request does not carry a usable CloudEvent; retrying the same request will not help.
    public struct Malformed: Error, CustomStringConvertible, Sendable, Equatable {
        /// What is wrong, for people.
        public var description: String

        /// Creates the error.
        public init(_ description: String) {
            self.description = description
        }
    }

    /// The event in a request whose header fields are `headers` (names in any case) and whose body is `body`.
    ///
    /// - Throws: ``Malformed`` when the request is not a CloudEvent 1.0 this runtime can hand to a function.
    public static func decode(headers: [String: String], body: [UInt8]) throws(Malformed) -> (
        event: CloudEvent, mode: Mode
    ) {
        var fields: [String: String] = [:]
        for (name, value) in headers { fields[name.lowercased()] = value }
        let mediaType = fields["content-type"].map(Self.mediaType) ?? ""
        if mediaType == "application/cloudevents-batch+json" {
            throw Malformed("batched CloudEvents are not accepted: send one event per request")
        }
        if mediaType.hasPrefix("application/cloudevents") {
            guard mediaType == "application/cloudevents+json" else {
                throw Malformed("structured CloudEvents must be JSON (application/cloudevents+json), not \(mediaType)")
            }
            return (try structured(body), .structured)
        }
        guard fields["ce-specversion"] != nil else {
            throw Malformed(
                "not a CloudEvent: expected ce-specversion, ce-id, ce-source and ce-type headers (binary mode) "
                    + "or content-type application/cloudevents+json (structured mode)")
        }
        return (try binary(fields, mediaType: mediaType, body: body), .binary)
    }

    /// The event of a binary-mode request: attributes from `fields` (lower-cased names), data from `body`.
    static func binary(_ fields: [String: String], mediaType: String, body: [UInt8]) throws(Malformed) -> CloudEvent {
        func attribute(_ name: String) -> String? {
            // Header values are percent-encoded by the binding (e.g. non-ASCII characters).
            fields["ce-\(name)"].map { $0.percentDecoded ?? $0 }
        }
        func required(_ name: String) throws(Malformed) -> String {
            guard let value = attribute(name)?.trimmingCharacters(in: .whitespaces), !value.isEmpty else {
                throw Malformed("missing ce-\(name) header")
            }
            return value
        }
        let specversion = try required("specversion")
        try check(specversion: specversion)
        let id = try required("id")
        let source = try required("source")
        let type = try required("type")
        var data: JSONValue?
        if !body.isEmpty {
            guard mediaType.isEmpty || mediaType == "application/json" || mediaType.hasSuffix("+json") else {
                throw Malformed("event data must be JSON (content-type application/json), not \(mediaType)")
            }
            do {
                data = try JSONValue(parsing: Data(body))
            } catch {
                throw Malformed("event \(id): data is not valid JSON")
            }
        }
        var event = CloudEvent(
            id: id, source: source, type: type, time: attribute("time"), data: data,
            dataschema: attribute("dataschema"), subject: attribute("subject"))
        event.datacontenttype = data == nil ? nil : "application/json"
        event.traceparent = attribute("traceparent")
        event.tracestate = attribute("tracestate")
        return event
    }

    /// The event of a structured-mode request: the whole event, JSON, in `body`.
    static func structured(_ body: [UInt8]) throws(Malformed) -> CloudEvent {
        let object: [String: JSONValue]
        do {
            object = try JSONDecoder().decode([String: JSONValue].self, from: Data(body))
        } catch {
            throw Malformed("the body is not a JSON object (a structured-mode CloudEvent)")
        }
        if object["data_base64"] != nil {
            throw Malformed("data_base64 is not accepted: event data must be JSON")
        }
        let event: CloudEvent
        do {
            event = try JSONDecoder().decode(CloudEvent.self, from: Data(body))
        } catch let error as DecodingError {
            throw Malformed("not a CloudEvent: \(error.summary)")
        } catch {
            throw Malformed("not a CloudEvent: \(error)")
        }
        try check(specversion: event.specversion)
        for (name, value) in [("id", event.id), ("source", event.source), ("type", event.type)]
        where value.trimmingCharacters(in: .whitespaces).isEmpty {
            throw Malformed("the event's \(name) is empty")
        }
        return event
    }

    private static func check(specversion: String) throws(Malformed) {
        guard specversion == "1.0" else {
            throw Malformed("unsupported CloudEvents specversion '\(specversion)' (expected 1.0)")
        }
    }

    /// `type/subtype` of a Content-Type value, lower-cased and without parameters.
    private static func mediaType(_ value: String) -> String {
        String(value.prefix { $0 != ";" }).trimmingCharacters(in: .whitespaces).lowercased()
    }
}
