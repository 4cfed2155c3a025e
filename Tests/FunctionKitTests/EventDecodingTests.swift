import Contracts
import Foundation
import FunctionKit
import Testing

/// Decoding API Gateway v2 and CloudEvents events: lenient, never fatal on unknown fields.
@Suite struct EventDecodingTests {
    @Test func decodesAFullAPIGatewayEventAndIgnoresUnknownFields() throws {
        let json = """
            {"version":"2.0","routeKey":"GET /api/tickets/{id}","rawPath":"/api/tickets/abc","rawQueryString":"a=1",
             "cookies":["session=xyz"],"headers":{"Content-Type":"application/json","X-Custom":"1"},
             "queryStringParameters":{"a":"1"},"pathParameters":{"id":"abc"},"stageVariables":{"s":"v"},
             "requestContext":{"accountId":"123","apiId":"api","domainName":"example.com","requestId":"r-1","routeKey":"GET /api/tickets/{id}",
               "stage":"$default","time":"12/Mar/2020:19:03:58 +0000","timeEpoch":1583348638390,
               "http":{"method":"get","path":"/api/tickets/abc","protocol":"HTTP/1.1","sourceIp":"1.2.3.4","userAgent":"curl"},
               "authorizer":{"jwt":{"claims":{}}}},
             "body":"eyJhIjoxfQ==","isBase64Encoded":true,"somethingNew":{"nested":[1,2]}}
            """
        let request = try JSONDecoder().decode(HTTPRequest.self, from: Data(json.utf8))
        #expect(request.method == "GET")
        #expect(request.header("content-type") == "application/json")
        #expect(request.headers["x-custom"] == "1")
        #expect(request.cookie("session") == "xyz")
        #expect(request.pathParameters == ["id": "abc"])
        #expect(request.bodyData == Data(#"{"a":1}"#.utf8))
        #expect(request.requestContext.requestId == "r-1")
    }

    @Test func decodesAMinimalEventWithDefaults() throws {
        let json = #"{"requestContext":{"requestId":"r","http":{"method":"POST","path":"/api/users/signup"}}}"#
        let request = try JSONDecoder().decode(HTTPRequest.self, from: Data(json.utf8))
        #expect(request.rawPath == "/api/users/signup")
        #expect(request.routeKey == "POST /api/users/signup")
        #expect(request.headers.isEmpty && request.cookies.isEmpty && request.body == nil)
        #expect(!request.isBase64Encoded)
    }

    @Test func aRoundTripKeepsTheEvent() throws {
        let request = HTTPRequest(method: "put", path: "/x", headers: ["A": "b"], body: "{}")
        let decoded = try JSONDecoder().decode(HTTPRequest.self, from: JSONEncoder().encode(request))
        #expect(decoded == request)
        #expect(decoded.method == "PUT")
    }

    @Test func decodesCloudEventsAndTheirData() throws {
        let json = """
            {"specversion":"1.0","id":"e1","source":"/ticketing/tickets","type":"ticket:created","time":"2026-01-01T00:00:00Z",
             "datacontenttype":"application/json","extension":"ignored",
             "data":{"id":"t1","version":0,"title":"x","price":19.99,"userId":"u","extra":true}}
            """
        let event = try JSONDecoder().decode(CloudEvent.self, from: Data(json.utf8))
        #expect(event.eventSubject == .ticketCreated)
        let payload = try event.decodeData(as: TicketCreated.self)
        #expect(payload.price == Price(cents: 1999))
    }

    @Test func dataOfTheWrongShapeIsAnInvalidEventNamingTheField() throws {
        let event = CloudEvent(
            id: "e1", source: "s", type: "ticket:created", time: nil, data: .object(["id": .string("t1")]))
        #expect {
            try event.decodeData(as: TicketCreated.self)
        } throws: { error in
            guard case FunctionError.invalidEvent(let message) = error else { return false }
            return message.contains("version") || message.contains("title") || message.contains("price")
        }
    }
}

@Suite struct JSONPrintingTests {
    @Test func prettyPrintingRoundTripsAndEscapes() throws {
        let value = JSONValue.object([
            "b": .array([]), "a": .object([:]), "s": .string("q\"\\\n\u{01}é"), "n": .number(Decimal(string: "19.99")!),
            "list": .array([.null, .bool(true), .object(["k": .string("v")])]),
        ])
        let text = value.prettyPrinted
        #expect(text.hasPrefix("{\n  \"a\": {},\n  \"b\": [],\n"))
        #expect(try JSONValue(parsing: Data(text.utf8)) == value)
    }

    @Test(arguments: [
        CloudEvent(
            id: "e1", source: "/ticketing/tickets", type: "ticket:created", time: "2026-01-01T00:00:00Z",
            data: .object(["id": .string("t1"), "price": .number(10.5), "tags": .array([.null, .bool(true)])]),
            dataschema: "https://ticketing.dev/schemas/events/ticket-created.json", subject: "t1"),
        CloudEvent(id: "e2", source: "/s", type: "x:y", time: nil, data: nil),
    ])
    func anEventsJSONValueIsWhatEncodingItGives(event: CloudEvent) throws {
        #expect(event.jsonValue == (try JSONValue(encoding: event)))
        var bare = event
        bare.datacontenttype = nil
        #expect(bare.jsonValue == (try JSONValue(encoding: bare)))
    }
}
