import Contracts
import Foundation
import FunctionKit
import FunctionTesting
import Payments
import Runtime
import Testing

/// `payments-on-order-created` and `payments-on-order-cancelled`: the order replica payments checks against.
@Suite struct OrderReplicaTests {
    @Test func aCancellationBeforeItsOrderIsRememberedNotLost() async throws {
        try await PaymentsFixture.with { fixture in
            // Handled at once (neither waiting, which would hold up the cancellations after it, nor failing,
            // which would dead-letter it and leave the order payable here): the order arrives cancelled.
            let early = try await fixture.cancel("order-2")
            #expect(early.outcome == .handled)
            try await fixture.replicate("order-2")
            let paid = try await fixture.pay(orderID: "order-2")
            #expect(paid.errorMessages == ["Cannot pay for an cancelled order"])
            // The same order:created again changes nothing; the cancellation stays.
            try await fixture.replicate("order-2")
            #expect(try await fixture.pay(orderID: "order-2").errorMessages == ["Cannot pay for an cancelled order"])
            #expect(fixture.stripe.charges.isEmpty)
        }
    }

    @Test func aRedeliveredOrderCreatedDoesNotReopenACancelledOrder() async throws {
        try await PaymentsFixture.with { fixture in
            let cancelled = try await fixture.cancel()
            #expect(cancelled.outcome == .handled)
            // The same order:created again (a new delivery id): the replica keeps the newer version.
            try await fixture.replicate()
            let paid = try await fixture.pay()
            #expect(paid.errorMessages == ["Cannot pay for an cancelled order"])
        }
    }

    @Test func anOrderWithAnUnreadableExpiryIsRejected() async throws {
        try await PaymentsFixture.with { fixture in
            var event = try fixture.event(
                OrderCreated(
                    id: "order-3", version: 0, status: .created, userId: "bob-id", expiresAt: "soon",
                    ticket: OrderCreated.Ticket(id: "t", price: Price(cents: 100))))
            event.id = "bad-expiry"
            let result = try await fixture.harness.invoker.invoke(event: "payments-on-order-created", event: event)
            #expect(result.outcome.status == "rejected")
        }
    }
}
