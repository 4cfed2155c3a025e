import Contracts
import FunctionKit
import FunctionTesting
import Testing

/// SPEC §5 `GET /api/tickets/{id}` and `PUT /api/tickets/{id}`.
@Suite struct ShowAndUpdateTicketTests {
    @Test func showsATicketAnd404sForAnyUnknownId() async throws {
        try await TicketsFixture.with { fixture in
            let id = try await fixture.create("Concert", price: "20")
            let shown = try await fixture.harness.http("tickets-show", pathParameters: ["id": id])
            #expect(shown.status == 200)
            #expect(shown.string("title") == "Concert")
            #expect(shown.json?["orderId"] == nil)
            for unknown in ["00000000-0000-0000-0000-000000000000", "not-a-uuid", "%27%3B--", "' OR 1=1 --"] {
                let response = try await fixture.harness.http("tickets-show", pathParameters: ["id": unknown])
                #expect(response.status == 404, "\(unknown)")
                #expect(response.errorMessages == ["Not Found"])
            }
        }
    }

    @Test func showsReservedTicketsWithTheirOrder() async throws {
        try await TicketsFixture.with { fixture in
            let id = try await fixture.create("Concert")
            try await fixture.reserve(id, orderID: "order-9")
            let shown = try await fixture.harness.http("tickets-show", pathParameters: ["id": id])
            #expect(shown.string("orderId") == "order-9")
        }
    }

    @Test func ownerEditsAndTheVersionGoesUpByOne() async throws {
        try await TicketsFixture.with { fixture in
            let id = try await fixture.create("Concert", price: "20")
            let response = try await fixture.harness.http(
                "tickets-update", body: #"{"title":"Opera","price":25.5}"#, token: fixture.alice,
                pathParameters: ["id": id])
            #expect(response.status == 200)
            #expect(response.string("title") == "Opera")
            #expect(response.json?["version"] == .number(1))
            let event = try #require(response.published.first).decodeData(as: TicketUpdated.self)
            #expect(
                event
                    == TicketUpdated(
                        id: id, version: 1, title: "Opera", price: Price(cents: 2550), userId: "alice-id", orderId: nil)
            )
            let again = try await fixture.harness.http(
                "tickets-update", body: #"{"title":"Opera","price":26}"#, token: fixture.alice,
                pathParameters: ["id": id])
            #expect(again.json?["version"] == .number(2))
            #expect(try await fixture.outboxCount() == 3)
        }
    }

    @Test func errorsComeInTheStatedOrder() async throws {
        try await TicketsFixture.with { fixture in
            let id = try await fixture.create("Concert")
            let good = #"{"title":"New","price":30}"#
            // 401 without a session, even with bad fields and an unknown id.
            let response1 = try await fixture.harness.http("tickets-update", body: "{}", pathParameters: ["id": "nope"])
            #expect(response1.status == 401)
            // 400 fields before 404.
            let fields = try await fixture.harness.http(
                "tickets-update", body: "{}", token: fixture.alice, pathParameters: ["id": "nope"])
            #expect(fields.status == 400 && fields.errorFields == ["title", "price"])
            // 404 before the owner check.
            let response2 = try await fixture.harness.http(
                "tickets-update", body: good, token: fixture.bob, pathParameters: ["id": "nope"])
            #expect(response2.status == 404)
            // 401 not the owner, even when reserved.
            try await fixture.reserve(id)
            let notOwner = try await fixture.harness.http(
                "tickets-update", body: good, token: fixture.bob, pathParameters: ["id": id])
            #expect(notOwner.status == 401)
            // 400 reserved for the owner.
            let reserved = try await fixture.harness.http(
                "tickets-update", body: good, token: fixture.alice, pathParameters: ["id": id])
            #expect(reserved.status == 400)
            #expect(reserved.errorMessages == ["Cannot edit a reserved ticket"])
            #expect(reserved.published.isEmpty)
        }
    }
}
