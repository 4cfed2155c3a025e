import Foundation
import Stripe
import Testing

/// The live client against localstripe, a third-party fake Stripe server: proof that what it sends is what a
/// Stripe implementation other than our own fake accepts.
///
/// localstripe 1.15 takes no `description` on a PaymentIntent (it answers 400 "Unexpected description"; Stripe
/// takes one), so the PaymentIntent requests here carry none.
@Suite(.localStripe) struct LocalStripeTests {
    private func client(key: String = LocalStripe.secretKey) throws -> (LiveStripeClient, URL) {
        let url = try #require(LocalStripe.url, "localstripe is not running")
        return (LiveStripeClient(secretKey: key, baseURL: url, retryPolicy: .immediate()), url)
    }

    @Test func aPaymentMethodIsChargedThroughAConfirmedPaymentIntentAndRefunded() async throws {
        let (client, url) = try client()
        let paymentMethod = try await LocalStripe.paymentMethod(cardNumber: "4242424242424242", at: url)
        let request = ChargeRequest(
            amount: 1999, currency: "usd", token: paymentMethod, metadata: ["orderId": "order-1"],
            idempotencyKey: "order-1-\(paymentMethod)")
        let charge = try await client.charge(request)
        #expect(charge.id.hasPrefix("pi_"))
        #expect(charge.amount == 1999 && charge.currency == "usd")

        let refund = try await client.refund(RefundRequest(chargeID: charge.id, idempotencyKey: "refund-order-1"))
        #expect(refund.id.hasPrefix("re_"))
        #expect(refund.chargeID == charge.id)
    }

    @Test func aCardThatFailsWhenChargedIsDeclined() async throws {
        let (client, url) = try client()
        let paymentMethod = try await LocalStripe.paymentMethod(cardNumber: "4000000000000341", at: url)
        await #expect(
            throws: StripeError.cardDeclined(
                message: "Your card was declined.", code: "card_declined", declineCode: nil)
        ) {
            try await client.charge(
                ChargeRequest(amount: 1999, currency: "usd", token: paymentMethod, idempotencyKey: "declined-1"))
        }
    }

    @Test func aCardThatNeedsAuthenticationIsDeclinedAsSuch() async throws {
        let (client, url) = try client()
        let paymentMethod = try await LocalStripe.paymentMethod(cardNumber: "4000002500003155", at: url)
        await #expect(throws: StripeError.authenticationRequired) {
            try await client.charge(
                ChargeRequest(amount: 1999, currency: "usd", token: paymentMethod, idempotencyKey: "3ds-1"))
        }
    }

    @Test func aCardSourceIsChargedThroughChargesAndRefunded() async throws {
        let (client, url) = try client()
        let source = try await LocalStripe.cardSource(cardNumber: "4242424242424242", at: url)
        let charge = try await client.charge(
            ChargeRequest(
                amount: 2500, currency: "usd", token: source, description: "Ticket for order 2",
                metadata: ["orderId": "order-2"], idempotencyKey: "order-2-\(source)"))
        #expect(charge.id.hasPrefix("ch_"))
        #expect(charge.amount == 2500)
        let refund = try await client.refund(RefundRequest(chargeID: charge.id, idempotencyKey: "refund-order-2"))
        #expect(refund.id.hasPrefix("re_"))
    }

    @Test func aDeclinedCardSourceIsDeclinedThroughCharges() async throws {
        let (client, url) = try client()
        let source = try await LocalStripe.cardSource(cardNumber: "4000000000000341", at: url)
        await #expect(
            throws: StripeError.cardDeclined(
                message: "Your card was declined.", code: "card_declined", declineCode: nil)
        ) {
            try await client.charge(ChargeRequest(amount: 2500, currency: "usd", token: source, idempotencyKey: "d-2"))
        }
    }

    @Test func aKeyLocalstripeRefusesIsAnAuthenticationError() async throws {
        let (client, _) = try client(key: "rk_test_not_accepted_by_localstripe")
        await #expect(throws: StripeError.authentication(message: "Unauthorized")) {
            try await client.charge(
                ChargeRequest(amount: 1999, currency: "usd", token: "pm_card_visa", idempotencyKey: "a"))
        }
    }

    @Test func anUnknownPaymentMethodIsAnInvalidRequest() async throws {
        let (client, _) = try client()
        await #expect {
            try await client.charge(
                ChargeRequest(amount: 1999, currency: "usd", token: "pm_doesNotExist", idempotencyKey: "u"))
        } throws: { error in
            guard case .invalidRequest = error as? StripeError else { return false }
            return true
        }
    }
}
