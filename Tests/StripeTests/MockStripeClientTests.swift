import Foundation
import Stripe
import Testing

@Suite struct MockStripeClientTests {
    private func request(_ token: String, key: String = UUID().uuidString, amount: Int = 1999) -> ChargeRequest {
        ChargeRequest(amount: amount, currency: "usd", token: token, metadata: ["orderId": "o1"], idempotencyKey: key)
    }

    @Test(
        "Stripe's succeeding test tokens and PaymentMethods charge",
        arguments: [
            "tok_visa", "tok_visa_debit", "tok_mastercard", "tok_mastercard_debit", "tok_mastercard_prepaid",
            "tok_amex",
            "tok_discover", "tok_diners", "tok_jcb", "tok_unionpay", "pm_card_visa", "pm_card_mastercard",
            "pm_card_amex", "pm_card_visa_debit",
        ])
    func succeeds(token: String) async throws {
        let mock = MockStripeClient()
        let charge = try await mock.charge(request(token))
        #expect(charge.id.hasPrefix(token.hasPrefix("pm_") ? "pi_" : "ch_"))
        #expect(charge.amount == 1999 && charge.currency == "usd")
        #expect(await mock.charges == [charge])
    }

    @Test(
        "Stripe's declining test tokens decline with Stripe's codes and messages",
        arguments: [
            ("tok_chargeDeclined", "card_declined", "generic_decline", "Your card was declined."),
            ("tok_visa_chargeDeclined", "card_declined", "generic_decline", "Your card was declined."),
            (
                "tok_chargeDeclinedInsufficientFunds", "card_declined", "insufficient_funds",
                "Your card has insufficient funds."
            ),
            (
                "tok_visa_chargeDeclinedInsufficientFunds", "card_declined", "insufficient_funds",
                "Your card has insufficient funds."
            ),
            ("tok_chargeDeclinedExpiredCard", "expired_card", "expired_card", "Your card has expired."),
            (
                "tok_chargeDeclinedIncorrectCvc", "incorrect_cvc", "incorrect_cvc",
                "Your card's security code is incorrect."
            ),
            (
                "tok_chargeDeclinedProcessingError", "processing_error", "processing_error",
                "An error occurred while processing your card. Try again in a little bit."
            ),
            ("tok_chargeDeclinedFraudulent", "card_declined", "fraudulent", "Your card was declined."),
            ("tok_visa_chargeDeclinedLostCard", "card_declined", "lost_card", "Your card was declined."),
            ("tok_visa_chargeDeclinedStolenCard", "card_declined", "stolen_card", "Your card was declined."),
            ("tok_chargeCustomerFail", "card_declined", "generic_decline", "Your card was declined."),
            ("pm_card_chargeDeclined", "card_declined", "generic_decline", "Your card was declined."),
            ("pm_card_visa_chargeDeclined", "card_declined", "generic_decline", "Your card was declined."),
            (
                "pm_card_chargeDeclinedInsufficientFunds", "card_declined", "insufficient_funds",
                "Your card has insufficient funds."
            ),
            (
                "pm_card_visa_chargeDeclinedInsufficientFunds", "card_declined", "insufficient_funds",
                "Your card has insufficient funds."
            ),
            ("pm_card_chargeDeclinedExpiredCard", "expired_card", "expired_card", "Your card has expired."),
        ])
    func declines(token: String, code: String, declineCode: String, message: String) async throws {
        let mock = MockStripeClient()
        await #expect(throws: StripeError.cardDeclined(message: message, code: code, declineCode: declineCode)) {
            try await mock.charge(request(token))
        }
        #expect(await mock.charges.isEmpty)
    }

    @Test func authenticationRequiredCannotBeCompletedServerSide() async throws {
        let mock = MockStripeClient()
        await #expect(throws: StripeError.authenticationRequired) {
            try await mock.charge(request("pm_card_authenticationRequired"))
        }
    }

    @Test func unknownTokensAreMissingResources() async throws {
        let mock = MockStripeClient()
        await #expect(
            throws: StripeError.invalidRequest(
                message: "No such token: 'tok_nope'", code: "resource_missing", param: "source")
        ) { try await mock.charge(request("tok_nope")) }
        await #expect(
            throws: StripeError.invalidRequest(
                message: "No such PaymentMethod: 'pm_nope'", code: "resource_missing", param: "payment_method")
        ) { try await mock.charge(request("pm_nope")) }
        await #expect(
            throws: StripeError.invalidRequest(
                message: "No such token: '4242424242424242'", code: "resource_missing", param: "source")
        ) { try await mock.charge(request("4242424242424242")) }
    }

    @Test func theSameKeyAndParametersReturnTheSameChargeWithoutChargingAgain() async throws {
        let mock = MockStripeClient()
        let first = try await mock.charge(request("tok_visa", key: "order-o1-attempt-1"))
        let again = try await mock.charge(request("tok_visa", key: "order-o1-attempt-1"))
        #expect(first == again)
        #expect(await mock.charges == [first])
        #expect(await mock.chargeRequests.count == 2)
    }

    @Test func theSameKeyWithOtherParametersIsRefused() async throws {
        let mock = MockStripeClient()
        _ = try await mock.charge(request("tok_visa", key: "k1"))
        await #expect(
            throws: StripeError.invalidRequest(
                message: "Keys for idempotent requests can only be used with the same parameters they were first used "
                    + "with. Try using a key other than 'k1' if you meant to execute a different request.",
                code: "idempotency_error", param: nil)
        ) { try await mock.charge(request("tok_visa", key: "k1", amount: 2500)) }
        #expect(await mock.charges.count == 1)
    }

    @Test func aDeclineIsReplayedForTheSameKeyAndANewKeyIsANewAttempt() async throws {
        let mock = MockStripeClient()
        let declined = StripeError.cardDeclined(
            message: "Your card has insufficient funds.", code: "card_declined", declineCode: "insufficient_funds")
        await #expect(throws: declined) {
            try await mock.charge(request("tok_chargeDeclinedInsufficientFunds", key: "a1"))
        }
        await #expect(throws: declined) {
            try await mock.charge(request("tok_chargeDeclinedInsufficientFunds", key: "a1"))
        }
        let charge = try await mock.charge(request("tok_visa", key: "a2"))
        #expect(await mock.charges == [charge])
    }

    @Test func anInvalidRequestIsNotRememberedSoTheKeyCanBeReused() async throws {
        let mock = MockStripeClient()
        await #expect(throws: StripeError.self) { try await mock.charge(request("tok_typo", key: "k")) }
        _ = try await mock.charge(request("tok_visa", key: "k"))
    }

    @Test func amountsAndCurrenciesAreCheckedLikeStripe() async throws {
        let mock = MockStripeClient()
        await #expect(
            throws: StripeError.invalidRequest(
                message: "Amount must be at least $0.50 usd", code: "amount_too_small", param: "amount")
        ) { try await mock.charge(request("tok_visa", amount: 29)) }
        await #expect(
            throws: StripeError.invalidRequest(
                message: "This value must be greater than or equal to 1.", code: "parameter_invalid_integer",
                param: "amount")
        ) { try await mock.charge(request("tok_visa", amount: 0)) }
        await #expect(throws: StripeError.self) {
            try await mock.charge(
                ChargeRequest(amount: 1999, currency: "US Dollars", token: "tok_visa", idempotencyKey: "c"))
        }
        _ = try await mock.charge(ChargeRequest(amount: 50, currency: "jpy", token: "tok_visa", idempotencyKey: "y"))
        _ = try await mock.charge(request("tok_visa", amount: 50))
    }

    @Test func aChargeAndAPaymentIntentAreRefundedOnce() async throws {
        let mock = MockStripeClient()
        let charge = try await mock.charge(request("tok_visa"))
        let intent = try await mock.charge(request("pm_card_visa"))
        let refund = try await mock.refund(RefundRequest(chargeID: charge.id, idempotencyKey: "refund-1"))
        #expect(refund.chargeID == charge.id && refund.id.hasPrefix("re_"))
        #expect(try await mock.refund(RefundRequest(chargeID: charge.id, idempotencyKey: "refund-1")) == refund)
        await #expect(
            throws: StripeError.invalidRequest(
                message: "Charge \(charge.id) has already been refunded.", code: "charge_already_refunded", param: nil)
        ) { try await mock.refund(RefundRequest(chargeID: charge.id, idempotencyKey: "refund-again")) }
        _ = try await mock.refund(RefundRequest(chargeID: intent.id, idempotencyKey: "refund-2"))
        #expect(await mock.refunds.count == 2)
        #expect(await mock.refundRequests.count == 4)
    }

    @Test func unknownChargesCannotBeRefunded() async throws {
        let mock = MockStripeClient()
        await #expect(
            throws: StripeError.invalidRequest(
                message: "No such charge: 'ch_nope'", code: "resource_missing", param: "charge")
        ) { try await mock.refund(RefundRequest(chargeID: "ch_nope", idempotencyKey: "r")) }
        await #expect(
            throws: StripeError.invalidRequest(
                message: "No such payment_intent: 'pi_nope'", code: "resource_missing", param: "payment_intent")
        ) { try await mock.refund(RefundRequest(chargeID: "pi_nope", idempotencyKey: "r2")) }
    }

    @Test func aMockChargeFromAnEarlierRunCanBeRefundedAndIdsDoNotRepeat() async throws {
        let earlier = try await MockStripeClient().charge(request("tok_visa", key: "k"))
        let restarted = MockStripeClient()
        let refund = try await restarted.refund(RefundRequest(chargeID: earlier.id, idempotencyKey: "r"))
        #expect(refund.chargeID == earlier.id)
        let again = try await restarted.charge(request("tok_visa", key: "k"))
        #expect(again.id != earlier.id)
    }

    @Test func aChargeKeyCannotBeReusedForARefund() async throws {
        let mock = MockStripeClient()
        let charge = try await mock.charge(request("tok_visa", key: "shared"))
        await #expect(throws: StripeError.self) {
            try await mock.refund(RefundRequest(chargeID: charge.id, idempotencyKey: "shared"))
        }
    }

    @Test func injectedFailuresComeFirstAndLeaveTheKeyUnused() async throws {
        let mock = MockStripeClient()
        await mock.failNext(with: .connection("injected"))
        await #expect(throws: StripeError.connection("injected")) {
            try await mock.charge(request("tok_visa", key: "k"))
        }
        let charge = try await mock.charge(request("tok_visa", key: "k"))
        #expect(await mock.charges == [charge])
        #expect(await mock.chargeRequests.count == 2)
    }

    @Test func requestsAreRecordedAsReceived() async throws {
        let mock = MockStripeClient()
        let first = request("tok_visa", key: "a")
        let second = request("tok_chargeDeclined", key: "b")
        _ = try await mock.charge(first)
        _ = try? await mock.charge(second)
        #expect(await mock.chargeRequests == [first, second])
    }

    @Test func concurrentRetriesWithOneKeyChargeOnce() async throws {
        let mock = MockStripeClient()
        let charges = try await withThrowingTaskGroup(of: Charge.self) { group in
            for _ in 0..<20 { group.addTask { try await mock.charge(self.request("tok_visa", key: "same")) } }
            return try await group.reduce(into: [Charge]()) { $0.append($1) }
        }
        #expect(Set(charges.map(\.id)).count == 1)
        #expect(await mock.charges.count == 1)
    }
}
