import Contracts
import Foundation
import FunctionKit
import FunctionTesting
import Runtime
import Testing

/// `tickets-on-order-created` reserves, `tickets-on-order-cancelled` releases (SPEC §6), whatever order the
/// two subscriptions deliver in.
@Suite struct ReservationTests {
    static let orders = "/ticketing/orders"

    private func created(_ orderID: String, ticket: String, id: String = UUID().uuidString) throws -> CloudEvent {
        try event(
            OrderCreated(
                id: orderID, version: 0, status: .created, userId: "bob-id", expiresAt: "2026-01-01T00:15:00.000Z",
                ticket: OrderCreated.Ticket(id: ticket, price: Price(cents: 1000))),
            id: id)
    }

    private func cancelled(_ orderID: String, ticket: String, id: String = UUID().uuidString) throws -> CloudEvent {
        try event(OrderCancelled(id: orderID, version: 1, ticket: OrderCancelled.Ticket(id: ticket)), id: id)
    }

    private func event<Payload: EventPayload>(_ payload: Payload, id: String) throws -> CloudEvent {
        CloudEvent(
            id: id, source: Self.orders, type: Payload.subject.rawValue, time: nil,
            data: try JSONValue(encoding: payload), dataschema: CloudEvent.schemaLocation(for: Payload.subject))
    }

    private func published(_ result: EventInvocation) throws -> [TicketUpdated] {
        try result.effects.compactMap { effect in
            guard case .published(let event) = effect else { return nil }
            return try event.decodeData(as: TicketUpdated.self)
        }
    }

    private func isRetry(_ outcome: EventOutcome) -> Bool {
        if case .deferred = outcome { true } else { false }
    }

    private func ticket(_ fixture: TicketsFixture, _ id: String) async throws -> (orderID: String?, version: Int?) {
        let shown = try await fixture.harness.http("tickets-show", pathParameters: ["id": id])
        let version = shown.json?["version"]?.numberValue.map { NSDecimalNumber(decimal: $0).intValue }
        return (shown.string("orderId"), version)
    }

    @Test func anOrderReservesItsTicketOnce() async throws {
        try await TicketsFixture.with { fixture in
            let id = try await fixture.create("Concert", price: "10")
            let event = try created("order-1", ticket: id, id: "oc-1")
            let result = try await fixture.harness.deliver("tickets-on-order-created", event)
            #expect(result.outcome == .handled)
            #expect(
                try published(result) == [
                    TicketUpdated(
                        id: id, version: 1, title: "Concert", price: Price(cents: 1000), userId: "alice-id",
                        orderId: "order-1")
                ])
            #expect(try await ticket(fixture, id) == ("order-1", 1))
            // Redelivered, or the same order under another event id: nothing changes twice.
            #expect(try await fixture.harness.deliver("tickets-on-order-created", event).outcome == .duplicate)
            let again = try await fixture.harness.deliver(
                "tickets-on-order-created", try created("order-1", ticket: id))
            #expect(again.outcome == .handled && again.effects.isEmpty)
            #expect(try await ticket(fixture, id) == ("order-1", 1))
            // Reserved tickets leave the list.
            #expect(try await fixture.harness.http("tickets-list").json == .array([]))
        }
    }

    @Test func theCancelledOrderReleasesItsTicketOnce() async throws {
        try await TicketsFixture.with { fixture in
            let id = try await fixture.create("Concert", price: "10")
            _ = try await fixture.harness.deliver("tickets-on-order-created", try created("order-1", ticket: id))
            let event = try cancelled("order-1", ticket: id, id: "ox-1")
            let result = try await fixture.harness.deliver("tickets-on-order-cancelled", event)
            #expect(result.outcome == .handled)
            #expect(
                try published(result) == [
                    TicketUpdated(
                        id: id, version: 2, title: "Concert", price: Price(cents: 1000), userId: "alice-id",
                        orderId: nil)
                ])
            let data = result.effects.compactMap { if case .published(let event) = $0 { event.data } else { nil } }
            #expect(data.first?["orderId"] == nil)
            #expect(try await ticket(fixture, id) == (nil, 2))
            #expect(try await fixture.harness.deliver("tickets-on-order-cancelled", event).outcome == .duplicate)
            let again = try await fixture.harness.deliver(
                "tickets-on-order-cancelled", try cancelled("order-1", ticket: id))
            #expect(again.outcome == .handled && again.effects.isEmpty)
            // Released tickets can be edited again.
            let edit = try await fixture.harness.http(
                "tickets-update", body: #"{"title":"Concert","price":12}"#, token: fixture.alice,
                pathParameters: ["id": id])
            #expect(edit.status == 200 && edit.json?["version"] == .number(3))
        }
    }

    @Test func anotherOrdersCancellationLeavesTheReservation() async throws {
        try await TicketsFixture.with { fixture in
            let id = try await fixture.create("Concert")
            _ = try await fixture.harness.deliver("tickets-on-order-created", try created("order-1", ticket: id))
            let other = try await fixture.harness.deliver(
                "tickets-on-order-cancelled", try cancelled("order-0", ticket: id))
            #expect(other.outcome == .handled && other.effects.isEmpty)
            #expect(try await ticket(fixture, id) == ("order-1", 1))
        }
    }

    @Test func aCancellationThatArrivesFirstKeepsTheLateCreationFromReserving() async throws {
        try await TicketsFixture.with { fixture in
            let id = try await fixture.create("Concert")
            let early = try await fixture.harness.deliver(
                "tickets-on-order-cancelled", try cancelled("order-1", ticket: id))
            #expect(early.outcome == .handled && early.effects.isEmpty)
            let late = try await fixture.harness.deliver("tickets-on-order-created", try created("order-1", ticket: id))
            #expect(late.outcome == .handled)
            #expect(late.effects.isEmpty)
            #expect(try await ticket(fixture, id) == (nil, 0))
            // The next order reserves as usual.
            let next = try await fixture.harness.deliver("tickets-on-order-created", try created("order-2", ticket: id))
            #expect(try published(next).map(\.orderId) == ["order-2"])
        }
    }

    @Test func aTicketHeldByAnotherOrderWaitsForThatOrdersCancellation() async throws {
        try await TicketsFixture.with { fixture in
            let id = try await fixture.create("Concert")
            _ = try await fixture.harness.deliver("tickets-on-order-created", try created("order-1", ticket: id))
            // order-1 was cancelled and order-2 placed, but order:cancelled(order-1) is still on its way.
            let second = try created("order-2", ticket: id, id: "oc-2")
            let waiting = try await fixture.harness.deliver("tickets-on-order-created", second)
            #expect(isRetry(waiting.outcome), "\(waiting.outcome)")
            #expect(try await ticket(fixture, id) == ("order-1", 1))
            _ = try await fixture.harness.deliver("tickets-on-order-cancelled", try cancelled("order-1", ticket: id))
            let retried = try await fixture.harness.deliver("tickets-on-order-created", second)
            #expect(retried.outcome == .handled)
            #expect(try await ticket(fixture, id) == ("order-2", 3))
        }
    }

    @Test func aStaleCreationBehindTheHolderPassesOnceItsCancellationArrives() async throws {
        try await TicketsFixture.with { fixture in
            let id = try await fixture.create("Concert")
            // order-0 was placed and cancelled before order-1; its order:created comes last.
            _ = try await fixture.harness.deliver("tickets-on-order-created", try created("order-1", ticket: id))
            let stale = try created("order-0", ticket: id, id: "oc-0")
            #expect(try await isRetry(fixture.harness.deliver("tickets-on-order-created", stale).outcome))
            let cancel = try await fixture.harness.deliver(
                "tickets-on-order-cancelled", try cancelled("order-0", ticket: id))
            #expect(cancel.effects.isEmpty)
            let retried = try await fixture.harness.deliver("tickets-on-order-created", stale)
            #expect(retried.outcome == .handled && retried.effects.isEmpty)
            #expect(try await ticket(fixture, id) == ("order-1", 1))
        }
    }

    @Test func eventsForAnUnknownTicketFailAndAreNotDeferred() async throws {
        try await TicketsFixture.with { fixture in
            let unknown = "00000000-0000-0000-0000-000000000000"
            let reserve = try await fixture.harness.deliver(
                "tickets-on-order-created", try created("o", ticket: unknown))
            #expect(reserve.outcome.status == "failed")
            let release = try await fixture.harness.deliver(
                "tickets-on-order-cancelled", try cancelled("o", ticket: unknown))
            #expect(release.outcome.status == "failed")
            #expect(try await fixture.outboxCount() == 0)
        }
    }
}
