import Contracts
import FunctionKit
import FunctionTesting
import Runtime
import Testing

/// `orders-on-ticket-created` and `orders-on-ticket-updated`: the replica applies `version == stored + 1`
/// only, retries gaps and unknown tickets, and ignores what it applied already (SPEC §6).
@Suite struct TicketReplicationTests {
    static let tickets = "/ticketing/tickets"

    private func update(_ version: Int, title: String = "Eras Tour", cents: Int = 14999, orderID: String? = nil)
        -> TicketUpdated
    {
        TicketUpdated(
            id: OrdersFixture.ticketID, version: version, title: title, price: Price(cents: cents), userId: "alice-id",
            orderId: orderID)
    }

    private func isRetry(_ outcome: EventOutcome) -> Bool {
        if case .deferred = outcome { true } else { false }
    }

    @Test func aNewTicketIsReplicatedOnceAndCanBeOrdered() async throws {
        try await OrdersFixture.with { fixture in
            #expect(try await fixture.replica() == Replica("Eras Tour", 14999, 0))
            // The same ticket again (a new event id) changes nothing.
            let again = try await fixture.deliver(
                "orders-on-ticket-created",
                TicketCreated(
                    id: OrdersFixture.ticketID, version: 0, title: "Other", price: Price(cents: 1), userId: "x"),
                source: Self.tickets)
            #expect(again.outcome == .handled)
            #expect(try await fixture.replica() == Replica("Eras Tour", 14999, 0))
            #expect(try await fixture.order(token: fixture.bob).status == 201)
        }
    }

    @Test func theNextVersionIsAppliedAndShowsInOrders() async throws {
        try await OrdersFixture.with { fixture in
            let result = try await fixture.deliver(
                "orders-on-ticket-updated", update(1, title: "Eras Tour, Row 1", cents: 20000), source: Self.tickets)
            #expect(result.outcome == .handled)
            #expect(result.effects.isEmpty)
            #expect(try await fixture.replica() == Replica("Eras Tour, Row 1", 20000, 1))
            let order = try await fixture.order(token: fixture.bob)
            #expect(order.json?["ticket"]?["title"] == .string("Eras Tour, Row 1"))
            #expect(order.json?["ticket"]?["version"] == .number(1))
            #expect(order.json?["ticket"]?["price"] == .number(200))
        }
    }

    @Test func anAlreadyAppliedVersionChangesNothing() async throws {
        try await OrdersFixture.with { fixture in
            let event = try Events.make(update(1, title: "First"), id: "tu-1", source: Self.tickets)
            #expect(try await fixture.harness.deliver("orders-on-ticket-updated", event).outcome == .handled)
            // The same event redelivered is a duplicate.
            #expect(try await fixture.harness.deliver("orders-on-ticket-updated", event).outcome == .duplicate)
            // The same version under another event id, and an older one, are applied already.
            for stale in [update(1, title: "Again"), update(0, title: "Older")] {
                let result = try await fixture.deliver("orders-on-ticket-updated", stale, source: Self.tickets)
                #expect(result.outcome == .handled)
            }
            #expect(try await fixture.replica() == Replica("First", 14999, 1))
        }
    }

    @Test func aGapIsRetriedUntilTheMissingVersionArrives() async throws {
        try await OrdersFixture.with { fixture in
            let v2 = try Events.make(update(2, title: "Second"), id: "tu-2", source: Self.tickets)
            let early = try await fixture.harness.deliver("orders-on-ticket-updated", v2)
            #expect(isRetry(early.outcome), "\(early.outcome)")
            #expect(try await fixture.replica() == Replica("Eras Tour", 14999, 0))
            // Retrying before v1 still waits.
            #expect(try await isRetry(fixture.harness.deliver("orders-on-ticket-updated", v2).outcome))
            let v1 = try await fixture.deliver(
                "orders-on-ticket-updated", update(1, title: "First"), source: Self.tickets)
            #expect(v1.outcome == .handled)
            #expect(try await fixture.replica() == Replica("First", 14999, 1))
            // The retried v2 (same event id: its failed attempt left no inbox entry) now applies.
            #expect(try await fixture.harness.deliver("orders-on-ticket-updated", v2).outcome == .handled)
            #expect(try await fixture.replica() == Replica("Second", 14999, 2))
        }
    }

    @Test func reverseOrderDeliveryConverges() async throws {
        try await OrdersFixture.with { fixture in
            let updates = try [
                Events.make(update(1, orderID: "order-1"), id: "tu-1", source: Self.tickets),
                Events.make(update(2, title: "Released"), id: "tu-2", source: Self.tickets),
                Events.make(update(3, title: "Edited", cents: 100), id: "tu-3", source: Self.tickets),
            ]
            var pending = Array(updates.reversed())
            var rounds = 0
            while !pending.isEmpty, rounds < 5 {
                var retry: [CloudEvent] = []
                for event in pending {
                    let result = try await fixture.harness.deliver("orders-on-ticket-updated", event)
                    if isRetry(result.outcome) { retry.append(event) } else { #expect(result.outcome == .handled) }
                }
                pending = retry
                rounds += 1
            }
            #expect(pending.isEmpty)
            #expect(rounds == 3)
            #expect(try await fixture.replica() == Replica("Edited", 100, 3))
        }
    }

    @Test func anUpdateOfAnUnknownTicketWaitsForItsCreation() async throws {
        try await OrdersFixture.with { fixture in
            let id = "c9f0f895-fb98-4b91-a2c3-1d8e6f0a9b77"
            let event = try Events.make(
                TicketUpdated(
                    id: id, version: 1, title: "Late", price: Price(cents: 500), userId: "carol-id", orderId: nil),
                id: "tu-late", source: Self.tickets)
            #expect(try await isRetry(fixture.harness.deliver("orders-on-ticket-updated", event).outcome))
            #expect(try await fixture.replica(id) == nil)
            try await fixture.replicate(id, title: "Early", cents: 400, seller: "carol-id")
            #expect(try await fixture.harness.deliver("orders-on-ticket-updated", event).outcome == .handled)
            #expect(try await fixture.replica(id) == Replica("Late", 500, 1))
        }
    }
}
