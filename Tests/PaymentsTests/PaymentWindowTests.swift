import Contracts
import Foundation
import FunctionKit
import FunctionTesting
import Runtime
import Testing

/// `payments-on-expiration-due`: when an order's window runs out, payments alone decides whether it was paid
/// in time, so that a paid order is never cancelled by its expiry however late its `payment:created` reaches
/// orders.
@Suite struct PaymentWindowTests {
    static func due(_ fixture: PaymentsFixture, orderID: String = PaymentsFixture.orderID) async throws
        -> EventInvocation
    {
        try await fixture.harness.deliver(
            "payments-on-expiration-due", try fixture.event(ExpirationDue(orderId: orderID)))
    }

    static func expired(_ invocation: EventInvocation) throws -> [PaymentExpired] {
        try invocation.effects.compactMap { effect in
            guard case .published(let event) = effect else { return nil }
            return try event.decodeData(as: PaymentExpired.self)
        }
    }

    @Test func anUnpaidOrdersWindowClosesAndNoCardPaysItAfterwards() async throws {
        try await PaymentsFixture.with { fixture in
            fixture.harness.clock.advance(by: 900)
            let closed = try await Self.due(fixture)
            #expect(closed.outcome == .handled)
            #expect(try Self.expired(closed) == [PaymentExpired(orderId: PaymentsFixture.orderID)])
            #expect(try await fixture.pay().errorMessages == ["Cannot pay for an cancelled order"])
            #expect(fixture.stripe.charges.isEmpty)
            // The expiry firing again (a timer retried after a crash) closes nothing twice.
            let again = try await Self.due(fixture)
            #expect(again.outcome == .handled && again.effects.isEmpty)
        }
    }

    @Test func aPaidOrdersWindowStaysOpenAndGetsNoAnswer() async throws {
        try await PaymentsFixture.with { fixture in
            #expect(try await fixture.pay().status == 201)
            fixture.harness.clock.advance(by: 900)
            let due = try await Self.due(fixture)
            #expect(due.outcome == .handled && due.effects.isEmpty)
            // Its cancellation, had the buyer sent one, would still refund; the expiry alone never does.
            #expect(fixture.stripe.refunds.isEmpty)
        }
    }

    @Test func aChargeThatLandsAfterTheWindowClosedIsRefunded() async throws {
        try await PaymentsFixture.with { fixture in
            // The window closes while Stripe is making the charge (a slow answer): the charge cannot pay the
            // order any more, since orders is about to cancel it.
            fixture.harness.clock.advance(by: 899)
            fixture.stripe.duringCharge.withLock { during in
                during = {
                    fixture.harness.clock.advance(by: 1)
                    _ = try await Self.due(fixture)
                }
            }
            let paid = try await fixture.pay()
            #expect(paid.status == 400)
            #expect(paid.errorMessages == ["Order was cancelled; the charge was refunded"])
            #expect(paid.published.isEmpty)
            #expect(fixture.stripe.refunds.map(\.chargeID) == ["ch_1"])
        }
    }

    @Test func anOrderPaymentsHasNotHeardOfIsClosedBeforeItArrives() async throws {
        try await PaymentsFixture.with { fixture in
            let late = "order-late"
            let closed = try await Self.due(fixture, orderID: late)
            #expect(try Self.expired(closed) == [PaymentExpired(orderId: late)])
            try await fixture.replicate(late)
            #expect(try await fixture.pay(orderID: late).errorMessages == ["Cannot pay for an cancelled order"])
            // Its cancellation by orders, when it comes, is applied as usual.
            #expect(try await fixture.cancel(late).outcome == .handled)
        }
    }
}
