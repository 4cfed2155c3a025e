import Contracts
import Foundation
import FunctionKit
import FunctionTesting
import Runtime
import Testing

/// `orders-on-expiration-complete` and `orders-on-payment-created` (SPEC §6, §7): an unpaid order is
/// cancelled once, a paid one never.
@Suite struct ExpiryAndPaymentTests {
    static let expiration = "/ticketing/expiration"
    static let payments = "/ticketing/payments"

    private func expire(_ fixture: OrdersFixture, _ orderID: String, id: String = UUID().uuidString) async throws
        -> EventInvocation
    {
        try await fixture.deliver(
            "orders-on-expiration-complete", ExpirationComplete(orderId: orderID), id: id, source: Self.expiration)
    }

    private func pay(_ fixture: OrdersFixture, _ orderID: String, id: String = UUID().uuidString) async throws
        -> EventInvocation
    {
        try await fixture.deliver(
            "orders-on-payment-created", PaymentCreated(id: "pay-\(orderID)", orderId: orderID, stripeId: "ch_1"),
            id: id, source: Self.payments)
    }

    @Test func anExpiredOrderIsCancelledOnceWithOneOrderCancelled() async throws {
        try await OrdersFixture.with { fixture in
            let id = try await fixture.placeOrder(token: fixture.bob)
            let result = try await expire(fixture, id, id: "exp-1")
            #expect(result.outcome == .handled)
            let published = result.effects.compactMap { if case .published(let event) = $0 { event } else { nil } }
            #expect(published.count == 1)
            #expect(
                try published.first?.decodeData(as: OrderCancelled.self)
                    == OrderCancelled(id: id, version: 1, ticket: OrderCancelled.Ticket(id: OrdersFixture.ticketID)))
            #expect(try await fixture.stored(id) == StoredOrder("cancelled", 1))
            // Redelivered: a duplicate; another expiry event for it: handled, nothing published.
            let redelivered = try await expire(fixture, id, id: "exp-1")
            #expect(redelivered.outcome == .duplicate && redelivered.effects.isEmpty)
            let another = try await expire(fixture, id)
            #expect(another.outcome == .handled && another.effects.isEmpty)
            #expect(try await fixture.stored(id) == StoredOrder("cancelled", 1))
            // The ticket can be ordered again.
            #expect(try await fixture.order(token: fixture.carol).status == 201)
        }
    }

    @Test func aCompleteOrderDoesNotExpire() async throws {
        try await OrdersFixture.with { fixture in
            let id = try await fixture.placeOrder(token: fixture.bob)
            #expect(try await pay(fixture, id).outcome == .handled)
            let result = try await expire(fixture, id)
            #expect(result.outcome == .handled)
            #expect(result.effects.isEmpty)
            #expect(try await fixture.stored(id) == StoredOrder("complete", 1))
        }
    }

    @Test func anOrderCancelledByItsBuyerPublishesNothingOnExpiry() async throws {
        try await OrdersFixture.with { fixture in
            let id = try await fixture.placeOrder(token: fixture.bob)
            #expect(try await fixture.cancel(id, token: fixture.bob).status == 204)
            let result = try await expire(fixture, id)
            #expect(result.outcome == .handled)
            #expect(result.effects.isEmpty)
            #expect(try await fixture.stored(id) == StoredOrder("cancelled", 1))
            #expect(try await fixture.outboxCount() == 2)
        }
    }

    @Test func theExpiryOfAnUnknownOrderFailsAndIsNotDeferred() async throws {
        try await OrdersFixture.with { fixture in
            let result = try await expire(fixture, "unknown-order")
            guard case .failed = result.outcome else {
                Issue.record("expected a failure, got \(result.outcome)")
                return
            }
        }
    }

    @Test func aPaymentCompletesTheOrderOnce() async throws {
        try await OrdersFixture.with { fixture in
            let id = try await fixture.placeOrder(token: fixture.bob)
            let paid = try await pay(fixture, id, id: "pay-event-1")
            #expect(paid.outcome == .handled)
            #expect(paid.effects.isEmpty)
            #expect(try await fixture.stored(id) == StoredOrder("complete", 1))
            #expect(try await fixture.show(id, token: fixture.bob).string("status") == "complete")
            #expect(try await pay(fixture, id, id: "pay-event-1").outcome == .duplicate)
            #expect(try await pay(fixture, id).outcome == .handled)
            #expect(try await fixture.stored(id) == StoredOrder("complete", 1))
            // A complete order keeps its ticket.
            #expect(try await fixture.order(token: fixture.carol).status == 400)
        }
    }

    @Test func aPaymentForAnUnknownOrderFailsAndIsNotDeferred() async throws {
        try await OrdersFixture.with { fixture in
            let result = try await pay(fixture, "no-such-order")
            guard case .failed = result.outcome else {
                Issue.record("expected a failure, got \(result.outcome)")
                return
            }
        }
    }

    @Test func aPaymentDoesNotReviveACancelledOrder() async throws {
        try await OrdersFixture.with { fixture in
            let id = try await fixture.placeOrder(token: fixture.bob)
            #expect(try await expire(fixture, id).outcome == .handled)
            let next = try await fixture.placeOrder(token: fixture.carol)
            let late = try await pay(fixture, id)
            #expect(late.outcome == .handled)
            #expect(late.effects.isEmpty)
            #expect(try await fixture.stored(id) == StoredOrder("cancelled", 1))
            #expect(try await fixture.stored(next) == StoredOrder("created", 0))
        }
    }
}
