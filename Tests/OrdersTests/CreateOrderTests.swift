import Contracts
import Foundation
import FunctionKit
import FunctionTesting
import Testing

/// SPEC §5 `POST /api/orders`, errors in the stated order, and the one-live-order rule of §7.
@Suite struct CreateOrderTests {
    @Test func requiresASession() async throws {
        try await OrdersFixture.with { fixture in
            let response = try await fixture.harness.http("orders-create", body: #"{"ticketId":5}"#)
            #expect(response.status == 401)
            #expect(response.errorMessages == ["Not authorized"])
            #expect(try await fixture.outboxCount() == 0)
        }
    }

    @Test(arguments: [
        #"{}"#, #"{"ticketId":""}"#, #"{"ticketId":"   "}"#, #"{"ticketId":5}"#, #"{"ticketId":null}"#,
        #"{"ticketId":["x"]}"#,
    ])
    func aMissingEmptyOrNonStringTicketIdIsAFieldError(body: String) async throws {
        try await OrdersFixture.with { fixture in
            let response = try await fixture.harness.http("orders-create", body: body, token: fixture.bob)
            #expect(response.status == 400, "\(body)")
            #expect(response.errorFields == ["ticketId"], "\(body)")
            #expect(try await fixture.outboxCount() == 0)
        }
    }

    @Test func aBrokenBodyIsA400() async throws {
        try await OrdersFixture.with { fixture in
            for body in ["{", "[]", "\"x\""] {
                let response = try await fixture.harness.http("orders-create", body: body, token: fixture.bob)
                #expect(response.status == 400, "\(body)")
            }
        }
    }

    @Test(arguments: ["00000000-0000-0000-0000-000000000000", "not-a-uuid", "' OR 1=1 --", "%27%3B--"])
    func aTicketUnknownToTheReplicaIs404(ticketID: String) async throws {
        try await OrdersFixture.with { fixture in
            let response = try await fixture.order(ticketID, token: fixture.bob)
            #expect(response.status == 404)
            #expect(response.errorMessages == ["Not Found"])
        }
    }

    @Test func theSellerCannotOrderTheirOwnTicket() async throws {
        try await OrdersFixture.with { fixture in
            let response = try await fixture.order(token: fixture.alice)
            #expect(response.status == 403)
            #expect(response.errorMessages == ["Cannot order your own ticket"])
            #expect(response.published.isEmpty)
        }
    }

    @Test func placesAnOrderThatExpiresAfterTheWindowAndPublishesOrderCreated() async throws {
        try await OrdersFixture.with { fixture in
            let response = try await fixture.order(token: fixture.bob)
            #expect(response.status == 201)
            let id = try #require(response.string("id"))
            #expect(
                response.json
                    == .object([
                        "id": .string(id), "userId": .string("bob-id"), "status": .string("created"),
                        "expiresAt": .string("2026-01-01T00:15:00.000Z"), "version": .number(0),
                        "ticket": .object([
                            "id": .string(OrdersFixture.ticketID), "title": .string("Eras Tour"),
                            "price": .number(Decimal(string: "149.99") ?? 0), "version": .number(0),
                        ]),
                    ]))
            #expect(response.published.count == 1)
            let event = try #require(response.published.first)
            #expect(event.type == "order:created")
            #expect(event.source == "/ticketing/orders")
            #expect(
                try event.decodeData(as: OrderCreated.self)
                    == OrderCreated(
                        id: id, version: 0, status: .created, userId: "bob-id", expiresAt: "2026-01-01T00:15:00.000Z",
                        ticket: OrderCreated.Ticket(id: OrdersFixture.ticketID, price: Price(cents: 14999))))
            #expect(try await fixture.outboxCount() == 1)
        }
    }

    @Test func theWindowIsConfigurable() async throws {
        try await OrdersFixture.with(expirationWindow: 60) { fixture in
            fixture.harness.clock.advance(by: 0.25)
            let response = try await fixture.order(token: fixture.bob)
            #expect(response.string("expiresAt") == "2026-01-01T00:01:00.250Z")
        }
    }

    @Test func aTicketWithALiveOrderIsAlreadyReservedUntilThatOrderIsCancelled() async throws {
        try await OrdersFixture.with { fixture in
            let first = try await fixture.placeOrder(token: fixture.bob)
            for token in [fixture.carol, fixture.bob] {
                let response = try await fixture.order(token: token)
                #expect(response.status == 400)
                #expect(response.errorMessages == ["Ticket is already reserved"])
                #expect(response.published.isEmpty)
            }
            #expect(try await fixture.cancel(first, token: fixture.bob).status == 204)
            let again = try await fixture.order(token: fixture.carol)
            #expect(again.status == 201)
            #expect(try await fixture.outboxCount() == 3)
        }
    }

    @Test func errorsComeInTheStatedOrder() async throws {
        try await OrdersFixture.with { fixture in
            _ = try await fixture.placeOrder(token: fixture.bob)
            // 401 before the fields.
            #expect(try await fixture.harness.http("orders-create", body: "{}").status == 401)
            // 400 fields before 404.
            let fields = try await fixture.harness.http("orders-create", body: "{}", token: fixture.carol)
            #expect(fields.status == 400 && fields.errorFields == ["ticketId"])
            // 404 for an unknown ticket.
            #expect(try await fixture.order("nope", token: fixture.carol).status == 404)
            // 403 own ticket before "already reserved".
            let own = try await fixture.order(token: fixture.alice)
            #expect(own.status == 403)
            // Then 400 reserved.
            let reserved = try await fixture.order(token: fixture.carol)
            #expect(reserved.status == 400 && reserved.errorMessages == ["Ticket is already reserved"])
        }
    }

    @Test func fiftyConcurrentOrdersForOneTicketPlaceExactlyOne() async throws {
        try await OrdersFixture.with { fixture in
            var tokens: [String] = []
            for index in 0..<50 {
                tokens.append(try await fixture.harness.token(userID: "buyer-\(index)", email: "b\(index)@example.com"))
            }
            let outcomes = try await withThrowingTaskGroup(of: (Int, [String]).self) { group in
                for token in tokens {
                    group.addTask {
                        let response = try await fixture.order(token: token)
                        return (response.status, response.errorMessages)
                    }
                }
                var outcomes: [(Int, [String])] = []
                for try await outcome in group { outcomes.append(outcome) }
                return outcomes
            }
            #expect(outcomes.count(where: { $0.0 == 201 }) == 1)
            #expect(outcomes.count(where: { $0.0 == 400 && $0.1 == ["Ticket is already reserved"] }) == 49)
            #expect(try await fixture.outboxCount() == 1)
        }
    }
}
