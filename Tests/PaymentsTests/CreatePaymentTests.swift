import Contracts
import Foundation
import FunctionKit
import FunctionTesting
import Payments
import Runtime
import Testing

/// `payments-create`, every row of SPEC §5 in order, and the money rules of §7.
@Suite struct CreatePaymentTests {
    @Test func aCardPaysTheOrderOnceAndPublishesPaymentCreated() async throws {
        try await PaymentsFixture.with { fixture in
            let paid = try await fixture.pay()
            #expect(paid.status == 201)
            #expect(paid.string("orderId") == PaymentsFixture.orderID)
            #expect(paid.string("stripeId") == "ch_1")
            #expect(paid.published.map(\.type) == ["payment:created"])
            let charge = try #require(fixture.stripe.charges.first)
            #expect(charge.amount == 1999)
            #expect(charge.currency == "usd")
            #expect(charge.token == "tok_visa")
            #expect(charge.metadata == ["orderId": PaymentsFixture.orderID])
            #expect(charge.idempotencyKey.hasPrefix("payment-\(PaymentsFixture.orderID)-"))

            let again = try await fixture.pay()
            #expect(again.status == 400)
            #expect(again.errorMessages == ["Order is already paid"])
            #expect(fixture.stripe.charges.count == 1)
        }
    }

    @Test func errorsComeInTheDocumentedOrder() async throws {
        try await PaymentsFixture.with { fixture in
            let anonymous = try await fixture.harness.http(
                "payments-create", body: #"{"orderId":"x","token":"tok_visa"}"#)
            #expect(anonymous.status == 401)
            let empty = try await fixture.harness.http("payments-create", body: "{}", token: fixture.bob)
            #expect(empty.status == 400)
            #expect(empty.errorFields == ["orderId", "token"])
            let wrongTypes = try await fixture.harness.http(
                "payments-create", body: #"{"orderId":5,"token":"  "}"#, token: fixture.bob)
            #expect(wrongTypes.errorFields == ["orderId", "token"])
            let unknown = try await fixture.pay(orderID: "no-such-order")
            #expect(unknown.status == 404)
            let stranger = try await fixture.pay(as: fixture.carol)
            #expect(stranger.status == 401)
            #expect(fixture.stripe.charges.isEmpty)
        }
    }

    @Test func aCancelledOrderCannotBePaid() async throws {
        try await PaymentsFixture.with { fixture in
            let cancelled = try await fixture.cancel()
            #expect(cancelled.outcome == .handled)
            let paid = try await fixture.pay()
            #expect(paid.status == 400)
            #expect(paid.errorMessages == ["Cannot pay for an cancelled order"])
            #expect(fixture.stripe.charges.isEmpty)
        }
    }

    @Test func anExpiredOrderCannotBePaidEvenBeforeItIsCancelled() async throws {
        try await PaymentsFixture.with { fixture in
            fixture.harness.clock.advance(by: 900)
            let paid = try await fixture.pay()
            #expect(paid.status == 400)
            #expect(paid.errorMessages == ["Order has expired"])
            #expect(fixture.stripe.charges.isEmpty)
        }
    }

    @Test func aDeclinedCardIs402AndTheOrderStaysPayable() async throws {
        try await PaymentsFixture.with { fixture in
            let declined = try await fixture.pay("tok_chargeDeclined")
            #expect(declined.status == 402)
            #expect(declined.errors == [ErrorDetail(message: "Your card was declined.", code: "generic_decline")])
            #expect(declined.published.isEmpty)
            let paid = try await fixture.pay("tok_visa")
            #expect(paid.status == 201)
            // A new token is a new attempt, with its own idempotency key.
            #expect(Set(fixture.stripe.charges.map(\.idempotencyKey)).count == 2)
        }
    }

    @Test func aTokenStripeDoesNotKnowIsAFieldError() async throws {
        try await PaymentsFixture.with { fixture in
            let paid = try await fixture.pay("tok_unknown")
            #expect(paid.status == 400)
            #expect(paid.errorFields == ["token"])
            let retried = try await fixture.pay("tok_visa")
            #expect(retried.status == 201)
        }
    }

    @Test func whenStripeIsUnreachableOnlyTheSameCardMayTryAgain() async throws {
        try await PaymentsFixture.with { fixture in
            let outage = try await fixture.pay("tok_outage")
            #expect(outage.status == 503)
            // The first attempt's outcome is unknown: another card must not charge too.
            let other = try await fixture.pay("tok_visa")
            #expect(other.status == 409)
            let same = try await fixture.pay("tok_outage")
            #expect(same.status == 503)
            #expect(Set(fixture.stripe.charges.map(\.idempotencyKey)).count == 1)
        }
    }

    @Test func twoCardsRacingChargeOnce() async throws {
        try await PaymentsFixture.with { fixture in
            fixture.stripe.holdNextCharge()
            let first = Task { try await fixture.pay("tok_visa") }
            var arrivals = fixture.stripe.arrivals.makeAsyncIterator()
            _ = await arrivals.next()
            let second = try await fixture.pay("tok_mastercard")
            #expect(second.status == 409)
            #expect(second.errorMessages == ["A payment for this order is already in progress"])
            fixture.stripe.release()
            let answered = try await first.value
            #expect(answered.status == 201)
            #expect(fixture.stripe.distinctCharges == 1)
        }
    }

    @Test func aRetriedRequestWithTheSameCardIsChargedOnce() async throws {
        try await PaymentsFixture.with { fixture in
            fixture.stripe.holdNextCharge()
            let first = Task { try await fixture.pay("tok_visa") }
            var arrivals = fixture.stripe.arrivals.makeAsyncIterator()
            _ = await arrivals.next()
            // The client gave up waiting and sent the same payment again.
            let retry = Task { try await fixture.pay("tok_visa") }
            _ = await arrivals.next()
            fixture.stripe.release()
            let answers = [try await first.value, try await retry.value]
            #expect(answers.map(\.status).sorted() == [201, 201])
            #expect(Set(answers.compactMap { $0.string("id") }).count == 1)
            #expect(fixture.stripe.charges.count == 2)
            #expect(fixture.stripe.distinctCharges == 1)
            #expect(answers.flatMap(\.published).count == 1)
        }
    }

    @Test func aChargeLandingOnAnOrderCancelledMeanwhileIsRefunded() async throws {
        try await PaymentsFixture.with { fixture in
            fixture.stripe.duringCharge.withLock { during in
                during = { _ = try await fixture.cancel() }
            }
            let paid = try await fixture.pay()
            #expect(paid.status == 400)
            #expect(paid.errorMessages == ["Order was cancelled; the charge was refunded"])
            #expect(paid.published.isEmpty)
            #expect(fixture.stripe.refunds.map(\.chargeID) == ["ch_1"])
            // The durable refund job runs too, and Stripe's idempotency makes it the same refund.
            let jobs = try await fixture.harness.settle()
            #expect(jobs.map(\.consumer) == ["payments-refund"])
            #expect(fixture.stripe.distinctRefunds == 1)
        }
    }

    @Test func whenTheRefundCannotBeMadeAtOnceTheBuyerIsToldItIsUnderWay() async throws {
        try await PaymentsFixture.with { fixture in
            fixture.cancelWhileChargingThenCutStripe()
            let paid = try await fixture.pay()
            #expect(paid.status == 400)
            #expect(paid.errorMessages == ["Order was cancelled; the charge is being refunded"])
            let failing = try await fixture.harness.settle()
            #expect(failing.map(\.outcome.status) == ["failed"])
            fixture.stripe.setUnreachable(false)
            let retried = try await fixture.harness.advance(by: 60)
            #expect(retried.map(\.consumer) == ["payments-refund"])
            #expect(retried.map(\.outcome) == [.handled])
            #expect(fixture.stripe.distinctRefunds == 1)
        }
    }

    @Test func aRefundIsKeptTryingWhileStripeStaysDownForLong() async throws {
        try await PaymentsFixture.with { fixture in
            fixture.cancelWhileChargingThenCutStripe()
            #expect(try await fixture.pay().status == 400)
            // An hour of Stripe being down: far more tries than an event gets, and no dead letter.
            let tries = try await fixture.harness.advance(by: 3600)
            #expect(tries.count > 60)
            #expect(tries.allSatisfy { $0.consumer == "payments-refund" && $0.outcome.status == "failed" })
            #expect(try await fixture.harness.deadLetters().isEmpty)
            fixture.stripe.setUnreachable(false)
            let refunded = try await fixture.harness.advance(by: 60)
            #expect(refunded.map(\.outcome) == [.handled])
            #expect(fixture.stripe.distinctRefunds == 1)
        }
    }

    @Test func manyCardsRacingForOneOrderChargeOnce() async throws {
        try await PaymentsFixture.with { fixture in
            let answers = try await withThrowingTaskGroup(of: TestResponse.self) { group in
                for card in 0..<12 { group.addTask { try await fixture.pay("tok_card_\(card)") } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(answers.filter { $0.status == 201 }.count == 1)
            #expect(answers.allSatisfy { [201, 400, 409].contains($0.status) })
            #expect(fixture.stripe.distinctCharges == 1)
            #expect(fixture.stripe.refunds.isEmpty)
        }
    }

    @Test func aPaidOrderThatGetsCancelledIsRefunded() async throws {
        try await PaymentsFixture.with { fixture in
            let paid = try await fixture.pay()
            #expect(paid.status == 201)
            let cancelled = try await fixture.cancel()
            #expect(cancelled.outcome == .handled)
            let jobs = try await fixture.harness.settle()
            #expect(jobs.map(\.consumer) == ["payments-refund"])
            #expect(jobs.first?.outcome == .handled)
            #expect(fixture.stripe.refunds.map(\.chargeID) == ["ch_1"])
            let after = try await fixture.harness.settle()
            #expect(after.isEmpty)
        }
    }

    @Test(arguments: [(1999, 1999), (29, 29), (7, 7), (100_000_000, 100_000_000)])
    func theAmountIsThePriceInCents(cents: Int, amount: Int) async throws {
        try await PaymentsFixture.with(price: Price(cents: cents)) { fixture in
            let paid = try await fixture.pay()
            #expect(paid.status == 201)
            #expect(fixture.stripe.charges.first?.amount == amount)
        }
    }
}
