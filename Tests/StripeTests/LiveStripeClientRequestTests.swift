import Foundation
import Testing

@testable import Stripe

/// What the live client sends, byte for byte, to a fake Stripe on a loopback port.
@Suite struct LiveStripeClientRequestTests {
    static let key = "sk_test_4eC39HqLyjWDarjtT1zdp7dc"

    static let chargeJSON = """
        {"id": "ch_3PqTest", "object": "charge", "amount": 1999, "currency": "usd", "status": "succeeded",
         "paid": true, "metadata": {"orderId": "o1"}}
        """
    static let paymentIntentJSON = """
        {"id": "pi_3PqTest", "object": "payment_intent", "amount": 1999, "currency": "usd", "status": "succeeded",
         "latest_charge": "ch_3PqOther"}
        """

    private func client(_ server: FakeStripeServer, retry: StripeRetryPolicy = .immediate()) -> LiveStripeClient {
        LiveStripeClient(secretKey: Self.key, baseURL: server.baseURL, retryPolicy: retry)
    }

    private func expectStripeHeaders(_ request: RecordedRequest, idempotencyKey: String) {
        #expect(request.method == "POST")
        #expect(request.header("Authorization") == "Bearer \(Self.key)")
        #expect(request.header("Idempotency-Key") == idempotencyKey)
        #expect(request.header("Stripe-Version") == "2024-06-20")
        #expect(request.header("Content-Type") == "application/x-www-form-urlencoded")
        #expect(request.header("User-Agent") == LiveStripeClient.userAgent)
        #expect(request.header("Content-Length") == String(request.body.utf8.count))
    }

    @Test func aCardTokenIsChargedThroughCharges() async throws {
        let server = try FakeStripeServer([.ok(Self.chargeJSON)])
        defer { server.stop() }
        let charge = try await client(server).charge(
            ChargeRequest(
                amount: 1999, currency: "usd", token: "tok_visa", description: "Ticket for order o1",
                metadata: ["orderId": "o1", "buyerId": "u 7"], idempotencyKey: "order-o1-tok_visa"))

        #expect(charge == Charge(id: "ch_3PqTest", amount: 1999, currency: "usd"))
        let request = try #require(server.requests.first)
        #expect(server.requests.count == 1)
        #expect(request.path == "/v1/charges")
        expectStripeHeaders(request, idempotencyKey: "order-o1-tok_visa")
        #expect(
            request.body
                == "amount=1999&currency=usd&source=tok_visa&description=Ticket%20for%20order%20o1"
                + "&metadata[buyerId]=u%207&metadata[orderId]=o1")
    }

    @Test func aPaymentMethodIsChargedThroughAConfirmedPaymentIntent() async throws {
        let server = try FakeStripeServer([.ok(Self.paymentIntentJSON)])
        defer { server.stop() }
        let charge = try await client(server).charge(
            ChargeRequest(
                amount: 1999, currency: "usd", token: "pm_card_visa", description: "Ticket",
                metadata: ["orderId": "o1"], idempotencyKey: "order-o1-pm"))

        #expect(charge == Charge(id: "pi_3PqTest", amount: 1999, currency: "usd"))
        let request = try #require(server.requests.first)
        #expect(request.path == "/v1/payment_intents")
        expectStripeHeaders(request, idempotencyKey: "order-o1-pm")
        #expect(
            request.body
                == "amount=1999&currency=usd&payment_method=pm_card_visa&payment_method_types[]=card&confirm=true"
                + "&description=Ticket&metadata[orderId]=o1")
    }

    @Test func withoutDescriptionOrMetadataNeitherIsSent() async throws {
        let server = try FakeStripeServer([.ok(Self.chargeJSON)])
        defer { server.stop() }
        _ = try await client(server).charge(
            ChargeRequest(amount: 500, currency: "eur", token: "tok_mastercard", idempotencyKey: "k"))
        #expect(server.requests.first?.body == "amount=500&currency=eur&source=tok_mastercard")
    }

    @Test func theBodyDecodesBackToWhatWasAsked() async throws {
        let server = try FakeStripeServer([.ok(Self.chargeJSON)])
        defer { server.stop() }
        let metadata = ["orderId": "o&1=2", "note": "café + 🎟️ 100%"]
        _ = try await client(server).charge(
            ChargeRequest(
                amount: 1999, currency: "usd", token: "tok_visa", description: "a+b c", metadata: metadata,
                idempotencyKey: "k"))
        let fields = try FormDecoding.decode(try #require(server.requests.first).body)
        #expect(
            fields.map(\.0) == ["amount", "currency", "source", "description", "metadata[note]", "metadata[orderId]"])
        #expect(fields.map(\.1) == ["1999", "usd", "tok_visa", "a+b c", "café + 🎟️ 100%", "o&1=2"])
    }

    @Test func aChargeIsRefundedByCharge() async throws {
        let server = try FakeStripeServer([
            .ok(#"{"id": "re_1", "object": "refund", "charge": "ch_9", "status": "succeeded"}"#)
        ])
        defer { server.stop() }
        let refund = try await client(server).refund(RefundRequest(chargeID: "ch_9", idempotencyKey: "refund-o1"))
        #expect(refund == Refund(id: "re_1", chargeID: "ch_9"))
        let request = try #require(server.requests.first)
        #expect(request.path == "/v1/refunds")
        expectStripeHeaders(request, idempotencyKey: "refund-o1")
        #expect(request.body == "charge=ch_9")
    }

    @Test func aPaymentIntentIsRefundedByPaymentIntent() async throws {
        let server = try FakeStripeServer([
            .ok(#"{"id": "re_2", "object": "refund", "payment_intent": "pi_9", "status": "pending"}"#)
        ])
        defer { server.stop() }
        let refund = try await client(server).refund(RefundRequest(chargeID: "pi_9", idempotencyKey: "refund-o2"))
        #expect(refund == Refund(id: "re_2", chargeID: "pi_9"))
        #expect(server.requests.first?.body == "payment_intent=pi_9")
    }

    @Test func aBaseURLWithAPathKeepsIt() async throws {
        let server = try FakeStripeServer([.ok(Self.chargeJSON)])
        defer { server.stop() }
        let base = server.baseURL.appendingPathComponent("stripe-proxy")
        let client = LiveStripeClient(secretKey: Self.key, baseURL: base, retryPolicy: .never)
        _ = try await client.charge(
            ChargeRequest(amount: 1999, currency: "usd", token: "tok_visa", idempotencyKey: "k"))
        #expect(server.requests.first?.path == "/stripe-proxy/v1/charges")
    }

    @Test func aPinnedVersionOtherThanTheDefaultIsSent() async throws {
        let server = try FakeStripeServer([.ok(Self.chargeJSON)])
        defer { server.stop() }
        let client = LiveStripeClient(secretKey: Self.key, baseURL: server.baseURL, apiVersion: "2023-10-16")
        _ = try await client.charge(
            ChargeRequest(amount: 1999, currency: "usd", token: "tok_visa", idempotencyKey: "k"))
        #expect(server.requests.first?.header("Stripe-Version") == "2023-10-16")
    }

    @Test(arguments: ["", String(repeating: "k", count: 256), "line\nbreak"])
    func anUnusableIdempotencyKeyIsRefusedBeforeAnythingIsSent(key: String) async throws {
        let server = try FakeStripeServer([.ok(Self.chargeJSON)])
        defer { server.stop() }
        await #expect(throws: StripeError.self) {
            try await client(server).charge(
                ChargeRequest(amount: 1999, currency: "usd", token: "tok_visa", idempotencyKey: key))
        }
        #expect(server.requests.isEmpty)
    }
}
