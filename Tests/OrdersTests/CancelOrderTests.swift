import Contracts
import FunctionKit
import FunctionTesting
import Testing

/// SPEC §5 `DELETE /api/orders/{id}`.
@Suite struct CancelOrderTests {
    @Test func theBuyerCancelsAndOrderCancelledIsPublished() async throws {
        try await OrdersFixture.with { fixture in
            let id = try await fixture.placeOrder(token: fixture.bob)
            let response = try await fixture.cancel(id, token: fixture.bob)
            #expect(response.status == 204)
            #expect(response.response.body.isEmpty)
            #expect(response.published.count == 1)
            let event = try #require(response.published.first)
            #expect(event.type == "order:cancelled")
            #expect(
                try event.decodeData(as: OrderCancelled.self)
                    == OrderCancelled(id: id, version: 1, ticket: OrderCancelled.Ticket(id: OrdersFixture.ticketID)))
            let shown = try await fixture.show(id, token: fixture.bob)
            #expect(shown.string("status") == "cancelled")
            #expect(shown.json?["version"] == .number(1))
        }
    }

    @Test func cancellingAgainAnswers204AndPublishesNothing() async throws {
        try await OrdersFixture.with { fixture in
            let id = try await fixture.placeOrder(token: fixture.bob)
            #expect(try await fixture.cancel(id, token: fixture.bob).status == 204)
            let again = try await fixture.cancel(id, token: fixture.bob)
            #expect(again.status == 204)
            #expect(again.published.isEmpty)
            #expect(try await fixture.stored(id)?.version == 1)
            #expect(try await fixture.outboxCount() == 2)
        }
    }

    @Test func errorsComeInTheStatedOrder() async throws {
        try await OrdersFixture.with { fixture in
            let id = try await fixture.placeOrder(token: fixture.bob)
            // 401 without a session.
            #expect(try await fixture.cancel(id, token: nil).status == 401)
            #expect(try await fixture.cancel("nope", token: nil).status == 401)
            // 404 for any unknown id.
            for unknown in ["00000000-0000-0000-0000-000000000000", "not-a-uuid", "' OR 1=1 --"] {
                #expect(try await fixture.cancel(unknown, token: fixture.bob).status == 404, "\(unknown)")
            }
            // 401 for anyone but the buyer, the seller included.
            for token in [fixture.alice, fixture.carol] {
                let response = try await fixture.cancel(id, token: token)
                #expect(response.status == 401)
                #expect(response.published.isEmpty)
            }
            #expect(try await fixture.stored(id)?.status == "created")
            // 400 for a completed order, even for the buyer.
            let paid = try await fixture.deliver(
                "orders-on-payment-created", PaymentCreated(id: "pay-1", orderId: id, stripeId: "ch_1"),
                source: "/ticketing/payments")
            #expect(paid.outcome == .handled)
            let completed = try await fixture.cancel(id, token: fixture.bob)
            #expect(completed.status == 400)
            #expect(completed.errorMessages == ["Cannot cancel a completed order"])
            #expect(completed.published.isEmpty)
            #expect(try await fixture.stored(id)?.status == "complete")
            // A stranger still gets 401 before the 400.
            #expect(try await fixture.cancel(id, token: fixture.carol).status == 401)
        }
    }
}
