import Contracts
import Foundation
import FunctionKit
import FunctionTesting
import Payments
import Runtime

/// A payments harness with a scripted Stripe, and an order of bob's for 19.99 that payments knows.
struct PaymentsFixture {
    static let orderID = "3c59dc04-8b2d-4a0c-9a41-1c2e9f8f0a77"

    let harness: TestHarness
    let stripe: RecordingStripe
    let bob: String
    let carol: String

    static func with(
        price: Price = Price(cents: 1999), manifest: String? = nil, realTimeLimits: Bool = false,
        _ body: (PaymentsFixture) async throws -> Void
    ) async throws {
        let stripe = RecordingStripe()
        try await TestHarness.with(
            services: [PaymentsService.definition(stripe: stripe)], manifest: manifest, realTimeLimits: realTimeLimits
        ) { harness in
            let fixture = PaymentsFixture(
                harness: harness, stripe: stripe,
                bob: try await harness.token(userID: "bob-id", email: "bob@example.com"),
                carol: try await harness.token(userID: "carol-id", email: "carol@example.com"))
            try await fixture.replicate(price: price)
            try await body(fixture)
        }
    }

    /// Tells payments about bob's order, expiring in 15 minutes.
    func replicate(_ id: String = PaymentsFixture.orderID, price: Price = Price(cents: 1999)) async throws {
        let created = OrderCreated(
            id: id, version: 0, status: .created, userId: "bob-id",
            expiresAt: harness.clock.now.addingTimeInterval(900).iso8601,
            ticket: OrderCreated.Ticket(id: "ticket-1", price: price))
        _ = try await harness.deliver("payments-on-order-created", try event(created))
    }

    /// Tells payments that order `id` was cancelled.
    func cancel(_ id: String = PaymentsFixture.orderID) async throws -> EventInvocation {
        try await harness.deliver(
            "payments-on-order-cancelled",
            try event(OrderCancelled(id: id, version: 1, ticket: OrderCancelled.Ticket(id: "ticket-1"))))
    }

    /// While the next charge is being made, the order is cancelled and Stripe becomes unreachable: the
    /// charge lands on an order it cannot pay, and its refund cannot be made at once.
    func cancelWhileChargingThenCutStripe() {
        stripe.duringCharge.withLock { during in
            during = {
                _ = try await cancel()
                stripe.setUnreachable(true)
            }
        }
    }

    func event<Payload: EventPayload>(_ payload: Payload) throws -> CloudEvent {
        CloudEvent(
            id: UUID().uuidString, source: "/ticketing/orders", type: Payload.subject.rawValue,
            time: harness.clock.now.iso8601, data: try JSONValue(encoding: payload))
    }

    /// Pays order `orderID` with `token` as `as`.
    func pay(_ token: String = "tok_visa", orderID: String = PaymentsFixture.orderID, as user: String? = nil)
        async throws -> TestResponse
    {
        try await harness.http(
            "payments-create", json: .object(["orderId": .string(orderID), "token": .string(token)]),
            token: user ?? bob)
    }
}
