import Foundation
import FunctionKit
import Runtime
import Testing

/// Reading CloudEvents out of HTTP requests: binary and structured mode, and what is refused.
@Suite struct CloudEventRequestTests {
    static let binaryHeaders = [
        "Content-Type": "application/json", "ce-specversion": "1.0", "ce-id": "evt-1",
        "ce-source": "/ticketing/tickets",
        "ce-type": "ticket:created", "ce-time": "2026-01-01T00:00:00Z",
        "ce-dataschema": "https://ticketing.dev/schemas/events/ticket-created.json", "CE-Subject": "t%C3%A9-1",
    ]

    static func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

    @Test func binaryModeTakesAttributesFromHeadersAndDataFromTheBody() throws {
        let (event, mode) = try CloudEventRequest.decode(
            headers: Self.binaryHeaders, body: Self.bytes(#"{"id":"t-1"}"#))
        #expect(mode == .binary)
        #expect(event.id == "evt-1")
        #expect(event.source == "/ticketing/tickets")
        #expect(event.type == "ticket:created")
        #expect(event.time == "2026-01-01T00:00:00Z")
        #expect(event.dataschema == "https://ticketing.dev/schemas/events/ticket-created.json")
        #expect(event.subject == "té-1")
        #expect(event.datacontenttype == "application/json")
        #expect(event.data == .object(["id": .string("t-1")]))
    }

    @Test func binaryModeWithoutABodyHasNoData() throws {
        let event = try CloudEventRequest.decode(headers: Self.binaryHeaders, body: []).event
        #expect(event.data == nil)
    }

    @Test(arguments: ["ce-id", "ce-source", "ce-type"])
    func binaryModeNeedsTheRequiredAttributes(_ missing: String) {
        var headers = Self.binaryHeaders
        headers[missing] = nil
        #expect(throws: CloudEventRequest.Malformed("missing \(missing) header")) {
            try CloudEventRequest.decode(headers: headers, body: [])
        }
    }

    @Test func binaryModeRefusesOtherSpecVersionsAndNonJSONData() {
        var headers = Self.binaryHeaders
        headers["ce-specversion"] = "0.3"
        #expect(throws: CloudEventRequest.Malformed.self) { try CloudEventRequest.decode(headers: headers, body: []) }
        #expect(throws: CloudEventRequest.Malformed.self) {
            try CloudEventRequest.decode(headers: Self.binaryHeaders, body: Self.bytes("{oops"))
        }
        headers = Self.binaryHeaders
        headers["Content-Type"] = "text/plain"
        #expect(throws: CloudEventRequest.Malformed.self) {
            try CloudEventRequest.decode(headers: headers, body: Self.bytes("hello"))
        }
    }

    @Test func aPlainRequestIsNotAnEvent() {
        #expect(throws: CloudEventRequest.Malformed.self) {
            try CloudEventRequest.decode(headers: ["content-type": "application/json"], body: Self.bytes("{}"))
        }
    }

    @Test func structuredModeReadsTheWholeEventFromTheBody() throws {
        let body = #"""
            {"specversion":"1.0","id":"evt-2","source":"/ticketing/orders","type":"order:cancelled",
             "datacontenttype":"application/json","data":{"id":"o-1"},"extension":"ignored"}
            """#
        let (event, mode) = try CloudEventRequest.decode(
            headers: ["content-type": "application/cloudevents+json; charset=UTF-8"], body: Self.bytes(body))
        #expect(mode == .structured)
        #expect(event.id == "evt-2")
        #expect(event.type == "order:cancelled")
        #expect(event.data == .object(["id": .string("o-1")]))
    }

    @Test(arguments: [
        "{not json", "[]", #"{"specversion":"1.0","id":"a","source":"/s"}"#,
        #"{"specversion":"0.3","id":"a","source":"/s","type":"t"}"#,
        #"{"specversion":"1.0","id":"","source":"/s","type":"t"}"#,
        #"{"specversion":"1.0","id":"a","source":"/s","type":"t","data_base64":"AA=="}"#,
    ])
    func structuredModeRefusesWhatIsNotAnEvent(_ body: String) {
        #expect(throws: CloudEventRequest.Malformed.self) {
            try CloudEventRequest.decode(
                headers: ["content-type": "application/cloudevents+json"], body: Self.bytes(body))
        }
    }

    @Test func batchesAndNonJSONStructuredEventsAreRefused() {
        for type in ["application/cloudevents-batch+json", "application/cloudevents+xml"] {
            #expect(throws: CloudEventRequest.Malformed.self) {
                try CloudEventRequest.decode(headers: ["content-type": type], body: Self.bytes("[]"))
            }
        }
    }
}
