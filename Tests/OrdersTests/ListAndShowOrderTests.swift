import Foundation
import FunctionKit
import FunctionTesting
import Testing

/// SPEC §5 `GET /api/orders` and `GET /api/orders/{id}`.
@Suite struct ListAndShowOrderTests {
    static let secondTicket = "a87ff679-a2f3-471d-8c3e-5b4c1f0c2a11"

    private func ids(_ response: TestResponse) -> [String] {
        (response.json?.arrayValue ?? []).compactMap { $0["id"]?.stringValue }
    }

    @Test func listingRequiresASession() async throws {
        try await OrdersFixture.with { fixture in
            let response = try await fixture.harness.http("orders-list")
            #expect(response.status == 401)
            let seller = try await fixture.harness.http("orders-list", query: ["role": "seller"])
            #expect(seller.status == 401)
        }
    }

    @Test func listsTheCallersOrdersOfEveryStatusOldestFirstWithTheirTicket() async throws {
        try await OrdersFixture.with { fixture in
            try await fixture.replicate(Self.secondTicket, title: "Opera", cents: 5000, seller: "carol-id")
            let first = try await fixture.placeOrder(token: fixture.bob)
            #expect(try await fixture.cancel(first, token: fixture.bob).status == 204)
            fixture.harness.clock.advance(by: 1)
            let second = try await fixture.placeOrder(Self.secondTicket, token: fixture.bob)
            let third = try await fixture.placeOrder(token: fixture.bob)
            let response = try await fixture.harness.http("orders-list", token: fixture.bob)
            #expect(response.status == 200)
            #expect(ids(response) == [first, second, third])
            let orders = response.json?.arrayValue ?? []
            #expect(orders.map { $0["status"]?.stringValue } == ["cancelled", "created", "created"])
            #expect(
                orders[safe: 1]?["ticket"]
                    == .object([
                        "id": .string(Self.secondTicket), "title": .string("Opera"), "price": .number(50),
                        "version": .number(0),
                    ]))
            let explicit = try await fixture.harness.http("orders-list", token: fixture.bob, query: ["role": "buyer"])
            #expect(ids(explicit) == [first, second, third])
            // Others see none of them.
            #expect(ids(try await fixture.harness.http("orders-list", token: fixture.alice)) == [])
        }
    }

    @Test func sellersListTheOrdersPlacedOnTheirTickets() async throws {
        try await OrdersFixture.with { fixture in
            try await fixture.replicate(Self.secondTicket, title: "Opera", cents: 5000, seller: "carol-id")
            let onAlices = try await fixture.placeOrder(token: fixture.bob)
            let onCarols = try await fixture.placeOrder(Self.secondTicket, token: fixture.alice)
            let alice = try await fixture.harness.http("orders-list", token: fixture.alice, query: ["role": "seller"])
            #expect(alice.status == 200)
            #expect(ids(alice) == [onAlices])
            #expect(alice.json?.arrayValue?.first?["userId"] == .string("bob-id"))
            #expect(ids(try await fixture.harness.http("orders-list", token: fixture.alice)) == [onCarols])
            let carol = try await fixture.harness.http("orders-list", token: fixture.carol, query: ["role": "seller"])
            #expect(ids(carol) == [onCarols])
            let bob = try await fixture.harness.http("orders-list", token: fixture.bob, query: ["role": "seller"])
            #expect(ids(bob) == [])
        }
    }

    @Test(arguments: ["admin", "", "Seller"])
    func anUnknownRoleIsAFieldError(role: String) async throws {
        try await OrdersFixture.with { fixture in
            let response = try await fixture.harness.http("orders-list", token: fixture.bob, query: ["role": role])
            #expect(response.status == 400)
            #expect(response.errorFields == ["role"])
        }
    }

    @Test func showsAnOrderToItsBuyerAndToTheSeller() async throws {
        try await OrdersFixture.with { fixture in
            let id = try await fixture.placeOrder(token: fixture.bob)
            let buyer = try await fixture.show(id, token: fixture.bob)
            #expect(buyer.status == 200)
            #expect(buyer.string("id") == id)
            #expect(buyer.string("status") == "created")
            #expect(buyer.string("expiresAt") == "2026-01-01T00:15:00.000Z")
            let seller = try await fixture.show(id, token: fixture.alice)
            #expect(seller.status == 200)
            #expect(seller.json == buyer.json)
        }
    }

    @Test func showErrorsComeInTheStatedOrder() async throws {
        try await OrdersFixture.with { fixture in
            let id = try await fixture.placeOrder(token: fixture.bob)
            // 401 without a session, known id or not.
            #expect(try await fixture.show(id, token: nil).status == 401)
            #expect(try await fixture.show("nope", token: nil).status == 401)
            // 404 for any id that matches nothing.
            for unknown in ["00000000-0000-0000-0000-000000000000", "not-a-uuid", "' OR 1=1 --", "%27%3B--"] {
                let response = try await fixture.show(unknown, token: fixture.carol)
                #expect(response.status == 404, "\(unknown)")
                #expect(response.errorMessages == ["Not Found"])
            }
            // 401 for someone who is neither buyer nor seller.
            let stranger = try await fixture.show(id, token: fixture.carol)
            #expect(stranger.status == 401)
            #expect(stranger.errorMessages == ["Not authorized"])
        }
    }
}

extension Array {
    subscript(safe index: Int) -> Element? {
        indices.contains(index) ? self[index] : nil
    }
}
