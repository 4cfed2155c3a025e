import Contracts
import Foundation
import FunctionKit
import FunctionTesting
import Payments
import Runtime
import SQLKit
import Testing

/// `payments-reconcile`: an attempt whose request never learned Stripe's answer is settled all the same,
/// and no charge is ever kept on an order it does not pay.
@Suite struct ReconcilePaymentTests {
    /// Past the reconcile delay of a claim (three minutes).
    static let afterReconcile: TimeInterval = 181

    @Test func anAttemptThatLostStripesAnswerIsSettledAndPaysTheOrder() async throws {
        try await PaymentsFixture.with { fixture in
            fixture.stripe.setUnreachable(true)
            let lost = try await fixture.pay("tok_visa")
            #expect(lost.status == 503)
            let other = try await fixture.pay("tok_mastercard")
            #expect(other.status == 409)
            fixture.stripe.setUnreachable(false)

            let settled = try await fixture.harness.advance(by: Self.afterReconcile)
            #expect(settled.map(\.consumer) == ["payments-reconcile"])
            #expect(settled.first?.outcome == .handled)
            #expect(settled.first?.effects.compactMap(\.publishedType) == ["payment:created"])
            // The replay used the attempt's own idempotency key: one charge.
            #expect(Set(fixture.stripe.charges.map(\.idempotencyKey)).count == 1)
            #expect(fixture.stripe.distinctCharges == 1)
            let again = try await fixture.pay("tok_mastercard")
            #expect(again.errorMessages == ["Order is already paid"])
        }
    }

    @Test func whileStripeStaysUnreachableTheReconcileIsRetried() async throws {
        try await PaymentsFixture.with { fixture in
            fixture.stripe.setUnreachable(true)
            let lost = try await fixture.pay("tok_visa")
            #expect(lost.status == 503)
            let tries = try await fixture.harness.advance(by: Self.afterReconcile + 10)
            #expect(tries.count > 1)
            #expect(tries.allSatisfy { $0.consumer == "payments-reconcile" && $0.outcome.status == "failed" })
            fixture.stripe.setUnreachable(false)
            let settled = try await fixture.harness.advance(by: 120)
            #expect(settled.last?.outcome == .handled)
            #expect(fixture.stripe.distinctCharges == 1)
        }
    }

    @Test func aRefusedCardFoundByTheReconcileFreesTheOrderForAnotherCard() async throws {
        try await PaymentsFixture.with { fixture in
            fixture.stripe.setUnreachable(true)
            let lost = try await fixture.pay("tok_chargeDeclined")
            #expect(lost.status == 503)
            fixture.stripe.setUnreachable(false)
            let settled = try await fixture.harness.advance(by: Self.afterReconcile)
            #expect(settled.map(\.outcome) == [.handled])
            #expect(settled.first?.effects.compactMap(\.publishedType).isEmpty == true)
            let paid = try await fixture.pay("tok_visa")
            #expect(paid.status == 201)
        }
    }

    @Test func anAttemptReplayedAfterItsOrderWasCancelledIsChargedThenRefunded() async throws {
        try await PaymentsFixture.with { fixture in
            fixture.stripe.setUnreachable(true)
            let lost = try await fixture.pay("tok_visa")
            #expect(lost.status == 503)
            let cancelled = try await fixture.cancel()
            #expect(cancelled.outcome == .handled)
            fixture.stripe.setUnreachable(false)
            let settled = try await fixture.harness.advance(by: Self.afterReconcile)
            #expect(settled.map(\.consumer) == ["payments-reconcile", "payments-refund"])
            #expect(settled.allSatisfy { $0.outcome == .handled })
            #expect(settled.flatMap(\.effects).compactMap(\.publishedType).isEmpty)
            #expect(fixture.stripe.refunds.map(\.chargeID) == ["ch_1"])
        }
    }

    @Test func aLateAnswerForAnEndedAttemptLeavesTheNextCardsReconcileAlone() async throws {
        // The clock jumps past the reconcile while the slow request is still waiting for Stripe, which real time
        // never allows (the reconcile waits out payments-create's time limit); so the request's limit runs on
        // real time here, and the request lives to hear its late answer.
        try await PaymentsFixture.with(realTimeLimits: true) { fixture in
            fixture.stripe.setUnreachable(true)
            let lost = try await fixture.pay("tok_chargeDeclined")
            #expect(lost.status == 503)
            fixture.stripe.setUnreachable(false)
            // The buyer tries the same card again; Stripe is slow to answer it.
            fixture.stripe.holdNextCharge()
            let slow = Task { try await fixture.pay("tok_chargeDeclined") }
            var arrivals = fixture.stripe.arrivals.makeAsyncIterator()
            _ = await arrivals.next()
            // Meanwhile the reconcile job learns of the decline and frees the order; another card's attempt
            // loses Stripe's answer and so counts on its own reconcile.
            let reconciled = try await fixture.harness.advance(by: Self.afterReconcile)
            #expect(reconciled.map(\.outcome) == [.handled])
            fixture.stripe.setUnreachable(true)
            let other = try await fixture.pay("tok_visa")
            #expect(other.status == 503)
            // The slow request's decline arrives now: the attempt it belonged to is already over.
            fixture.stripe.release()
            let declined = try await slow.value
            #expect(declined.status == 402)
            fixture.stripe.setUnreachable(false)
            let settled = try await fixture.harness.advance(by: Self.afterReconcile)
            #expect(settled.map(\.consumer) == ["payments-reconcile"])
            #expect(settled.first?.effects.compactMap(\.publishedType) == ["payment:created"])
        }
    }

    @Test func aChargeStillInFlightWhenTheRequestTimesOutEndsInOnePaidCharge() async throws {
        // payments-create given 1 s instead of 120 s; the charge is held at Stripe until that has passed.
        let manifest = try String(contentsOf: ProjectFiles.manifest, encoding: .utf8)
        let short = manifest.replacingOccurrences(of: "    timeout: 120 #", with: "    timeout: 1 #")
        #expect(short != manifest)
        try await PaymentsFixture.with(manifest: short) { fixture in
            fixture.stripe.holdNextCharge()
            async let abandoned = fixture.pay("tok_visa")
            var arrivals = fixture.stripe.arrivals.makeAsyncIterator()
            _ = await arrivals.next()
            // The request's time limit runs on the test clock: moved past it, the request is abandoned.
            await fixture.harness.clock.sleepers(atLeast: 1)
            fixture.harness.clock.advance(by: 1)
            let timedOut = try await abandoned
            #expect(timedOut.status == 504, "\(timedOut.response.body)")
            // Stripe answers after the handler was abandoned; whichever of it and the reconcile job records
            // the charge, the other finds it recorded.
            fixture.stripe.release()
            _ = try await fixture.harness.advance(by: Self.afterReconcile)
            #expect(fixture.stripe.distinctCharges == 1)
            let again = try await fixture.pay("tok_mastercard")
            #expect(again.errorMessages == ["Order is already paid"], "\(again.status) \(again.response.body)")
            #expect(fixture.stripe.distinctCharges == 1)
        }
    }

    @Test func aFinishedAttemptLeavesNothingToReconcile() async throws {
        try await PaymentsFixture.with { fixture in
            let declined = try await fixture.pay("tok_chargeDeclined")
            #expect(declined.status == 402)
            let paid = try await fixture.pay("tok_visa")
            #expect(paid.status == 201)
            let quiet = try await fixture.harness.advance(by: 600)
            #expect(quiet.isEmpty)
            #expect(fixture.stripe.charges.count == 2)
        }
    }

    @Test func aSecondChargeOnAPaidOrderIsRefundedNotKept() async throws {
        try await PaymentsFixture.with { fixture in
            let paid = try await fixture.pay("tok_visa")
            #expect(paid.status == 201)
            // An attempt with another card that got past the claim by any route (it cannot through
            // payments-create): whatever Stripe charged for it must not stay charged.
            let database = try await fixture.harness.invoker.database(for: "payments")
            try await database.transaction { sql in
                try await sql.insert(into: "payment_attempts")
                    .columns("order_id", "token", "amount", "currency", "started_at")
                    .values(
                        SQLBind(PaymentsFixture.orderID), SQLBind("tok_mastercard"), SQLBind(1999), SQLBind("usd"),
                        SQLBind(0)
                    )
                    .run()
            }
            let reconcile = try await fixture.harness.deliver(
                "payments-reconcile",
                CloudEvent(
                    id: "reconcile-1", source: "/ticketing/scheduler", type: "schedule:payments-reconcile",
                    time: fixture.harness.clock.now.iso8601,
                    data: .object(["orderId": .string(PaymentsFixture.orderID)])
                ))
            #expect(reconcile.outcome == .handled)
            #expect(reconcile.effects.compactMap(\.publishedType).isEmpty)
            #expect(fixture.stripe.distinctCharges == 2)
            let refunds = try await fixture.harness.settle()
            #expect(refunds.map(\.consumer) == ["payments-refund"])
            #expect(fixture.stripe.refunds.map(\.chargeID) == ["ch_2"])
        }
    }
}

extension Effect {
    /// The type of the event published, if this effect is a publication.
    var publishedType: String? {
        if case .published(let event) = self { event.type } else { nil }
    }
}
