import Contracts
import Expiration
import Foundation
import FunctionKit
import FunctionTesting
import Orders
import Payments
import Runtime
import Stripe
import Testing
import Tickets

/// The marketplace's cascades run by the real dispatcher and scheduler in-process, with a test clock.
@Suite struct CascadeTests {
    struct Market {
        let harness: TestHarness
        let alice: String
        let bob: String

        static func with(_ body: (Market) async throws -> Void) async throws {
            let services = [
                TicketsService.definition(), OrdersService.definition(), ExpirationService.definition(),
                PaymentsService.definition(stripe: MockStripeClient()),
            ]
            try await TestHarness.with(services: services) { harness in
                try await body(
                    Market(
                        harness: harness,
                        alice: try await harness.token(userID: "alice-id", email: "alice@example.com"),
                        bob: try await harness.token(userID: "bob-id", email: "bob@example.com")))
            }
        }

        /// Alice lists a ticket and the cascade settles; returns its id.
        func listTicket(price: String = "25") async throws -> String {
            let created = try await harness.http(
                "tickets-create", body: #"{"title":"Opera","price":\#(price)}"#, token: alice)
            try await harness.settle()
            return try #require(created.string("id"))
        }

        func order(_ ticketID: String, token: String? = nil) async throws -> TestResponse {
            try await harness.http("orders-create", json: .object(["ticketId": .string(ticketID)]), token: token ?? bob)
        }

        func ticket(_ id: String) async throws -> JSONValue? {
            try await harness.http("tickets-show", pathParameters: ["id": id]).json
        }

        func order(id: String) async throws -> JSONValue? {
            try await harness.http("orders-show", token: bob, pathParameters: ["id": id]).json
        }
    }

    static func published(_ deliveries: [Delivery]) -> [String] {
        deliveries.flatMap { delivery in
            delivery.effects.compactMap { if case .published(let event) = $0 { event.type } else { nil } }
        }
    }

    /// An order placed with a W3C `traceparent`: every invocation of its cascade — the deliveries of what it
    /// published, and the expiry its timer fires 15 minutes later — continues that trace, each in a span of its
    /// own, and every event on the way carries it.
    @Test func anOrdersTraceRunsThroughItsEventsAndItsExpiry() async throws {
        try await Market.with { market in
            let ticketID = try await market.listTicket()
            let traceID = "4bf92f3577b34da6a3ce929d0e0e4736"
            let ordered = try await market.harness.http(
                "orders-create", body: #"{"ticketId":"\#(ticketID)"}"#, token: market.bob,
                headers: ["traceparent": "00-\(traceID)-00f067aa0ba902b7-01", "tracestate": "vendor=abc"])
            #expect(ordered.status == 201)
            let event = try #require(ordered.published.first)
            #expect(event.trace?.traceID == traceID)
            #expect(event.trace?.spanID != "00f067aa0ba902b7", "the event carries the invocation's own span")
            #expect(event.tracestate == "vendor=abc")
            let placed = try await market.harness.settle()
            let expired = try await market.harness.advance(by: 900)
            #expect(expired.contains { $0.consumer == "expiration-fire" })
            let deliveries = placed + expired
            #expect(deliveries.allSatisfy { $0.trace?.traceID == traceID && $0.event.trace?.traceID == traceID })
            let spans = deliveries.compactMap { $0.trace?.spanID }
            #expect(spans.count == deliveries.count && Set(spans).count == spans.count)
        }
    }

    @Test func anUnpaidOrderExpiresAtItsTimeAndReleasesTheTicket() async throws {
        try await Market.with { market in
            let ticketID = try await market.listTicket()
            let ordered = try await market.order(ticketID)
            #expect(ordered.status == 201)
            let orderID = try #require(ordered.string("id"))
            let placed = try await market.harness.settle()
            #expect(
                Set(placed.map(\.consumer)) == [
                    "tickets-on-order-created", "expiration-on-order-created", "payments-on-order-created",
                    "orders-on-ticket-updated",
                ])
            #expect(placed.allSatisfy { $0.outcome == .handled })
            #expect(try await market.ticket(ticketID)?["orderId"]?.stringValue == orderID)

            // One second early: nothing.
            #expect(try await market.harness.advance(by: 899).isEmpty)
            let expired = try await market.harness.advance(by: 1)
            #expect(expired.first?.consumer == "expiration-fire")
            #expect(Self.published(expired).filter { $0 == "order:cancelled" }.count == 1)
            #expect(expired.allSatisfy { $0.outcome == .handled })
            #expect(try await market.order(id: orderID)?["status"] == .string("cancelled"))
            #expect(try await market.order(id: orderID)?["version"] == .number(1))
            let released = try await market.ticket(ticketID)
            #expect(released?["orderId"] == nil)
            #expect(released?["version"] == .number(2))
            // The window passing again changes nothing, and the ticket can be ordered again.
            #expect(try await market.harness.advance(by: 3600).isEmpty)
            #expect(try await market.order(ticketID).status == 201)
            #expect(try await market.harness.deadLetters().isEmpty)
        }
    }

    @Test func aCardPaymentCompletesTheOrderAndTheExpiryPassesIt() async throws {
        try await Market.with { market in
            let ticketID = try await market.listTicket(price: "19.99")
            let orderID = try #require(try await market.order(ticketID).string("id"))
            try await market.harness.settle()
            let paid = try await market.harness.http(
                "payments-create", json: .object(["orderId": .string(orderID), "token": .string("tok_visa")]),
                token: market.bob)
            #expect(paid.status == 201)
            let completed = try await market.harness.settle()
            #expect(completed.map(\.consumer) == ["orders-on-payment-created"])
            #expect(try await market.order(id: orderID)?["status"] == .string("complete"))
            let cancel = try await market.harness.http(
                "orders-cancel", token: market.bob, pathParameters: ["id": orderID])
            #expect(cancel.errorMessages == ["Cannot cancel a completed order"])
            let expiry = try await market.harness.advance(by: 900)
            #expect(!Self.published(expiry).contains("order:cancelled"))
            #expect(try await market.order(id: orderID)?["status"] == .string("complete"))
            #expect(try await market.ticket(ticketID)?["orderId"]?.stringValue == orderID)
        }
    }

    @Test func aPaidOrderNeverExpires() async throws {
        try await Market.with { market in
            let ticketID = try await market.listTicket()
            let orderID = try #require(try await market.order(ticketID).string("id"))
            try await market.harness.settle()
            let payment = CloudEvent(
                id: "pay-1", source: "/ticketing/payments", type: "payment:created", time: nil,
                data: try JSONValue(encoding: PaymentCreated(id: "p1", orderId: orderID, stripeId: "ch_1")))
            #expect(try await market.harness.deliver("orders-on-payment-created", payment).outcome == .handled)
            // Payments never saw this payment (it was delivered to orders by hand), so it closes the window
            // and the expiry reaches orders, which leaves the complete order as it is.
            let expiry = try await market.harness.advance(by: 900)
            #expect(
                expiry.map(\.consumer) == [
                    "expiration-fire", "payments-on-expiration-due", "expiration-on-payment-expired", "expiration-fire",
                    "orders-on-expiration-complete",
                ])
            #expect(Self.published(expiry) == ["expiration:due", "payment:expired", "expiration:complete"])
            #expect(try await market.order(id: orderID)?["status"] == .string("complete"))
            #expect(try await market.ticket(ticketID)?["orderId"]?.stringValue == orderID)
        }
    }

    @Test func aPaymentWhoseEventIsLateStillWinsOverTheExpiry() async throws {
        try await Market.with { market in
            let ticketID = try await market.listTicket()
            let orderID = try #require(try await market.order(ticketID).string("id"))
            try await market.harness.settle()
            let paid = try await market.harness.http(
                "payments-create", json: .object(["orderId": .string(orderID), "token": .string("tok_visa")]),
                token: market.bob)
            #expect(paid.status == 201)
            // payment:created is held up on its way to orders (a failed delivery, a replica killed while
            // making it) while the window runs out: the expiry is put to payments, which knows it was paid.
            market.harness.clock.advance(by: 900)
            let fired = try await market.harness.deliver(
                "expiration-fire",
                CloudEvent(
                    id: "timer-1", source: "/ticketing/scheduler", type: "schedule:expiration-fire", time: nil,
                    data: .object(["orderId": .string(orderID)])))
            let due = try #require(
                fired.effects.compactMap { if case .published(let event) = $0 { event } else { nil } }.first)
            #expect(due.type == "expiration:due")
            let answer = try await market.harness.deliver("payments-on-expiration-due", due)
            #expect(answer.outcome == .handled && answer.effects.isEmpty)
            let rest = try await market.harness.settle()
            #expect(!Self.published(rest).contains("order:cancelled"))
            #expect(try await market.order(id: orderID)?["status"] == .string("complete"))
            #expect(try await market.ticket(ticketID)?["orderId"]?.stringValue == orderID)
        }
    }

    @Test func aCancelledOrderWithdrawsItsExpiry() async throws {
        try await Market.with { market in
            let ticketID = try await market.listTicket()
            let orderID = try #require(try await market.order(ticketID).string("id"))
            try await market.harness.settle()
            let cancelled = try await market.harness.http(
                "orders-cancel", token: market.bob, pathParameters: ["id": orderID])
            #expect(cancelled.status == 204)
            let after = try await market.harness.settle()
            #expect(
                after.flatMap(\.effects).contains {
                    if case .cancelledSchedule(let function, let key) = $0 {
                        function == "expiration-fire" && key == orderID
                    } else {
                        false
                    }
                })
            #expect(try await market.ticket(ticketID)?["orderId"] == nil)
            #expect(try await market.harness.advance(by: 3600).isEmpty)
        }
    }

    @Test func ticketUpdatesDeliveredInReverseStillConverge() async throws {
        try await Market.with { market in
            let ticketID = try await market.listTicket(price: "10")
            let first = try await market.harness.http(
                "tickets-update", body: #"{"title":"Opera","price":11}"#, token: market.alice,
                pathParameters: ["id": ticketID])
            let second = try await market.harness.http(
                "tickets-update", body: #"{"title":"Opera gala","price":12}"#, token: market.alice,
                pathParameters: ["id": ticketID])
            let v1 = try #require(first.published.first)
            let v2 = try #require(second.published.first)
            let early = try await market.harness.deliver("orders-on-ticket-updated", v2)
            #expect(early.outcome.status == "deferred")
            #expect(try await market.harness.deliver("orders-on-ticket-updated", v1).outcome == .handled)
            #expect(try await market.harness.deliver("orders-on-ticket-updated", v2).outcome == .handled)
            // The dispatcher then delivers both again in order: duplicates, nothing changes.
            let redelivered = try await market.harness.settle()
            #expect(redelivered.map(\.outcome) == [.duplicate, .duplicate])
            let ordered = try await market.order(ticketID)
            #expect(ordered.json?["ticket"]?["price"] == .number(12))
            #expect(ordered.json?["ticket"]?["title"] == .string("Opera gala"))
            #expect(ordered.json?["ticket"]?["version"] == .number(2))
        }
    }

    @Test func aRedeliveredOrderEventChangesNothingTwice() async throws {
        try await Market.with { market in
            let ticketID = try await market.listTicket()
            let ordered = try await market.order(ticketID)
            let event = try #require(ordered.published.first)
            try await market.harness.settle()
            let version = try await market.ticket(ticketID)?["version"]
            #expect(try await market.harness.deliver("tickets-on-order-created", event).outcome == .duplicate)
            #expect(try await market.harness.deliver("expiration-on-order-created", event).outcome == .duplicate)
            #expect(try await market.ticket(ticketID)?["version"] == version)
            #expect(try await market.harness.settle().isEmpty)
        }
    }
}
