import Contracts
import Expiration
import FunctionKit
import FunctionTesting
import Orders
import Payments
import Stripe
import Testing
import Tickets

/// A small hand-driven chain across tickets, orders, expiration and payments, delivering each published event to its
/// subscribers (the runtime's dispatcher does this for real).
@Suite struct PurchaseChainTests {
    /// Delivers every event `effects` published to the functions subscribed to its subject, and what those
    /// publish in turn, until nothing is left; returns the scheduled invocations met on the way.
    private func settle(_ effects: [Effect], in harness: TestHarness) async throws -> [ScheduledInvocation] {
        var queue = effects
        var scheduled: [ScheduledInvocation] = []
        while !queue.isEmpty {
            let effect = queue.removeFirst()
            switch effect {
            case .published(let event):
                for entry in harness.invoker.registry.entries {
                    guard case .subscription(let subject, _) = entry.handler, subject.rawValue == event.type else {
                        continue
                    }
                    let result = try await harness.deliver(entry.name, event)
                    #expect(result.outcome == .handled, "\(entry.name) on \(event.type): \(result.outcome)")
                    queue += result.effects
                }
            case .scheduled(let invocation):
                scheduled.append(invocation)
            case .cancelledSchedule:
                break
            }
        }
        return scheduled
    }

    @Test func anUnpaidOrderExpiresAndReleasesItsTicket() async throws {
        let services = [
            TicketsService.definition(), OrdersService.definition(), ExpirationService.definition(),
            PaymentsService.definition(stripe: MockStripeClient()),
        ]
        try await TestHarness.with(services: services) { harness in
            let alice = try await harness.token(userID: "alice-id", email: "alice@example.com")
            let bob = try await harness.token(userID: "bob-id", email: "bob@example.com")
            let created = try await harness.http("tickets-create", body: #"{"title":"Opera","price":25}"#, token: alice)
            let ticketID = try #require(created.string("id"))
            _ = try await settle(created.effects, in: harness)

            let ordered = try await harness.http(
                "orders-create", json: .object(["ticketId": .string(ticketID)]), token: bob)
            #expect(ordered.status == 201)
            let orderID = try #require(ordered.string("id"))
            let timers = try await settle(ordered.effects, in: harness)
            #expect(timers.map(\.key) == [orderID])
            let reserved = try await harness.http("tickets-show", pathParameters: ["id": ticketID])
            #expect(reserved.string("orderId") == orderID)
            #expect(reserved.json?["version"] == .number(1))
            let edit = try await harness.http(
                "tickets-update", body: #"{"title":"Opera","price":30}"#, token: alice, pathParameters: ["id": ticketID]
            )
            #expect(edit.errorMessages == ["Cannot edit a reserved ticket"])

            // The scheduler fires the timer at expiresAt: the expiry is put to payments, which closes the unpaid
            // order's window, and the timer is fired again at once to publish expiration:complete.
            var due = timers
            var fired: [String] = []
            while let timer = due.first {
                harness.clock.set(timer.dueAt)
                let invocation = try await harness.invoker.invoke(
                    event: timer.function,
                    event: CloudEvent(
                        id: timer.id, source: "/ticketing/scheduler", type: "schedule:\(timer.function)", time: nil,
                        data: timer.payload))
                #expect(invocation.outcome == .handled)
                fired += invocation.effects.compactMap {
                    if case .published(let event) = $0 { event.type } else { nil }
                }
                due = Array(due.dropFirst()) + (try await settle(invocation.effects, in: harness))
            }
            #expect(fired == ["expiration:due", "expiration:complete"])

            let order = try await harness.http("orders-show", token: bob, pathParameters: ["id": orderID])
            #expect(order.string("status") == "cancelled")
            #expect(order.json?["ticket"]?["version"] == .number(2))
            let released = try await harness.http("tickets-show", pathParameters: ["id": ticketID])
            #expect(released.json?["orderId"] == nil)
            #expect(released.json?["version"] == .number(2))
            let again = try await harness.http(
                "tickets-update", body: #"{"title":"Opera","price":30}"#, token: alice, pathParameters: ["id": ticketID]
            )
            #expect(again.status == 200)
        }
    }

    @Test func aCancelledOrderReleasesItsTicketAndDropsItsTimer() async throws {
        let services = [TicketsService.definition(), OrdersService.definition(), ExpirationService.definition()]
        try await TestHarness.with(services: services) { harness in
            let alice = try await harness.token(userID: "alice-id", email: "alice@example.com")
            let bob = try await harness.token(userID: "bob-id", email: "bob@example.com")
            let created = try await harness.http("tickets-create", body: #"{"title":"Opera","price":25}"#, token: alice)
            let ticketID = try #require(created.string("id"))
            _ = try await settle(created.effects, in: harness)
            let ordered = try await harness.http(
                "orders-create", json: .object(["ticketId": .string(ticketID)]), token: bob)
            let orderID = try #require(ordered.string("id"))
            _ = try await settle(ordered.effects, in: harness)

            let cancelled = try await harness.http("orders-cancel", token: bob, pathParameters: ["id": orderID])
            #expect(cancelled.status == 204)
            _ = try await settle(cancelled.effects, in: harness)
            let database = try await harness.invoker.database(for: ExpirationService.name)
            let timers = try await database.read { sql in
                try await sql.select().column("timer_key").from(MessagingTables.timers).all().count
            }
            #expect(timers == 0)
            let ticket = try await harness.http("tickets-show", pathParameters: ["id": ticketID])
            #expect(ticket.json?["orderId"] == nil)
            #expect(ticket.json?["version"] == .number(2))
        }
    }
}
