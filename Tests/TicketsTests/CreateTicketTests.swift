import Contracts
import Foundation
import FunctionKit
import FunctionTesting
import Testing

/// SPEC §5 `POST /api/tickets`.
@Suite struct CreateTicketTests {
    @Test func requiresASession() async throws {
        try await TicketsFixture.with { fixture in
            let response = try await fixture.harness.http("tickets-create", body: #"{"title":"x","price":"bad"}"#)
            #expect(response.status == 401)
            #expect(response.errorMessages == ["Not authorized"])
        }
    }

    @Test func createsATicketAndPublishesTicketCreated() async throws {
        try await TicketsFixture.with { fixture in
            let response = try await fixture.harness.http(
                "tickets-create", body: #"{"title":"  Concert  ","price":19.99}"#, token: fixture.alice)
            #expect(response.status == 201)
            let id = try #require(response.string("id"))
            #expect(
                response.json
                    == .object([
                        "id": .string(id), "title": .string("Concert"), "price": .number(Decimal(string: "19.99")!),
                        "userId": .string("alice-id"), "version": .number(0),
                    ]))
            #expect(response.response.body.contains(#""price":19.99"#))
            #expect(response.published.count == 1)
            let event = try #require(response.published.first)
            #expect(event.type == "ticket:created")
            #expect(event.source == "/ticketing/tickets")
            let payload = try event.decodeData(as: TicketCreated.self)
            #expect(
                payload
                    == TicketCreated(
                        id: id, version: 0, title: "Concert", price: Price(cents: 1999), userId: "alice-id"))
            #expect(try await fixture.outboxCount() == 1)
        }
    }

    @Test(arguments: [
        (#"{"price":10}"#, ["title"]), (#"{"title":"   ","price":10}"#, ["title"]),
        (#"{"title":5,"price":10}"#, ["title"]),
        (#"{"title":"x"}"#, ["price"]), (#"{"title":"x","price":"10"}"#, ["price"]),
        (#"{"title":"x","price":0}"#, ["price"]),
        (#"{"title":"x","price":-5}"#, ["price"]), (#"{"title":"x","price":10.001}"#, ["price"]),
        (#"{"title":"x","price":1000000.01}"#, ["price"]), (#"{}"#, ["title", "price"]),
        // Valid JSON whose numbers lie outside the range of exact decimals: still the price's field error.
        (#"{"title":"x","price":1e400}"#, ["price"]), (#"{"title":"x","price":5e-324}"#, ["price"]),
        (#"{"title":"x","price":-1e400}"#, ["price"]), (#"{"title":1e400,"price":1e400}"#, ["title", "price"]),
        (#"{"title":null,"price":null}"#, ["title", "price"]),
    ])
    func rejectsBadFields(body: String, fields: [String]) async throws {
        try await TicketsFixture.with { fixture in
            let response = try await fixture.harness.http("tickets-create", body: body, token: fixture.alice)
            #expect(response.status == 400, "\(body)")
            #expect(response.errorFields == fields, "\(body): \(response.errorMessages)")
            #expect(try await fixture.outboxCount() == 0)
        }
    }

    @Test func titleLengthCountsCodePointsAsTheSchemaDoes() async throws {
        try await TicketsFixture.with { fixture in
            // "é" written as "e" + a combining accent is one Character but two code points.
            let decomposed = String(repeating: "e\u{301}", count: 101)
            #expect(decomposed.count == 101 && decomposed.unicodeScalars.count == 202)
            let response = try await fixture.harness.http(
                "tickets-create", json: .object(["title": .string(decomposed), "price": .number(1)]),
                token: fixture.alice)
            #expect(response.status == 400 && response.errorFields == ["title"])
        }
    }

    @Test func titleAtMost200Characters() async throws {
        try await TicketsFixture.with { fixture in
            let ok = try await fixture.harness.http(
                "tickets-create",
                json: .object(["title": .string(String(repeating: "é", count: 200)), "price": .number(1)]),
                token: fixture.alice)
            #expect(ok.status == 201)
            let long = try await fixture.harness.http(
                "tickets-create",
                json: .object(["title": .string(String(repeating: "a", count: 201)), "price": .number(1)]),
                token: fixture.alice)
            #expect(long.status == 400 && long.errorFields == ["title"])
        }
    }

    @Test(arguments: [
        ("0.29", 29), ("19.99", 1999), ("10.50", 1050), ("10.500", 1050), ("1e2", 10000), ("1000000", 100_000_000),
        ("0.01", 1),
    ])
    func pricesAreJudgedOnTheirDecimalValueAndStoredExactly(text: String, cents: Int) async throws {
        try await TicketsFixture.with { fixture in
            let response = try await fixture.harness.http(
                "tickets-create", body: #"{"title":"x","price":\#(text)}"#, token: fixture.alice)
            #expect(response.status == 201, "\(text)")
            let payload = try #require(response.published.first).decodeData(as: TicketCreated.self)
            #expect(payload.price.cents == cents)
            #expect(response.json?["price"]?.numberValue == Decimal(cents) / 100)
        }
    }

    @Test func validationRunsAfterTheSessionCheck() async throws {
        try await TicketsFixture.with { fixture in
            let response1 = try await fixture.harness.http("tickets-create", body: "{")
            #expect(response1.status == 401)
            let response2 = try await fixture.harness.http("tickets-create", body: "{", token: fixture.alice)
            #expect(response2.status == 400)
        }
    }
}
