import Contracts
import Expiration
import Foundation
import FunctionKit
import FunctionTesting
import Runtime
import SQLKit
import Testing

/// The expiration service: a timer per order at its `expiresAt`, withdrawn when the order is cancelled, that
/// asks payments to close the order's window and fires `expiration:complete` once it has (SPEC §4, §6).
@Suite struct ExpirationTests {
    static let orderID = "3c59dc04-8b2d-4a0c-9a41-1c2e9f8f0a77"
    static let expiresAt = "2026-01-01T00:15:00.000Z"

    private func created(
        _ orderID: String = ExpirationTests.orderID, expiresAt: String = ExpirationTests.expiresAt,
        id: String = UUID().uuidString
    ) throws -> CloudEvent {
        try event(
            OrderCreated(
                id: orderID, version: 0, status: .created, userId: "bob-id", expiresAt: expiresAt,
                ticket: OrderCreated.Ticket(id: "ticket-1", price: Price(cents: 1000))),
            id: id)
    }

    private func cancelled(_ orderID: String = ExpirationTests.orderID, id: String = UUID().uuidString) throws
        -> CloudEvent
    {
        try event(OrderCancelled(id: orderID, version: 1, ticket: OrderCancelled.Ticket(id: "ticket-1")), id: id)
    }

    private func event<Payload: EventPayload>(_ payload: Payload, id: String) throws -> CloudEvent {
        CloudEvent(
            id: id, source: "/ticketing/orders", type: Payload.subject.rawValue, time: nil,
            data: try JSONValue(encoding: payload), dataschema: CloudEvent.schemaLocation(for: Payload.subject))
    }

    private func fire(_ harness: TestHarness, orderID: String = ExpirationTests.orderID, id: String = "timer-1")
        async throws -> EventInvocation
    {
        try await harness.invoker.invoke(
            event: "expiration-fire",
            event: CloudEvent(
                id: id, source: "/ticketing/scheduler", type: "schedule:expiration-fire", time: nil,
                data: .object(["orderId": .string(orderID)])))
    }

    /// The timers table: key, function, payload and due time in epoch milliseconds.
    private func timers(_ harness: TestHarness) async throws -> [(
        key: String, function: String, payload: String, due: Int64
    )] {
        let database = try await harness.invoker.database(for: ExpirationService.name)
        return try await database.read { sql in
            try await sql.select().columns("timer_key", "function", "payload", "due_at").from(MessagingTables.timers)
                .all().map { row in
                    (
                        try row.decode(column: "timer_key", as: String.self),
                        try row.decode(column: "function", as: String.self),
                        try row.decode(column: "payload", as: String.self),
                        try row.decode(column: "due_at", as: Int64.self)
                    )
                }
        }
    }

    private func with(_ body: (TestHarness) async throws -> Void) async throws {
        try await TestHarness.with(services: [ExpirationService.definition()], body)
    }

    @Test func anOrderGetsATimerAtItsExpiresAtKeyedByItsId() async throws {
        try await with { harness in
            let result = try await harness.deliver("expiration-on-order-created", try created())
            #expect(result.outcome == .handled)
            guard case .scheduled(let invocation)? = result.effects.first, result.effects.count == 1 else {
                Issue.record("expected one scheduled invocation, got \(result.effects)")
                return
            }
            let due = Date(timeIntervalSince1970: 1_767_226_500)
            #expect(invocation.function == "expiration-fire")
            #expect(invocation.key == Self.orderID)
            #expect(invocation.payload == .object(["orderId": .string(Self.orderID)]))
            #expect(invocation.dueAt == due)
            let stored = try await timers(harness)
            #expect(stored.count == 1)
            #expect(stored.first?.key == Self.orderID)
            #expect(stored.first?.function == "expiration-fire")
            #expect(stored.first?.payload == #"{"orderId":"\#(Self.orderID)"}"#)
            #expect(stored.first?.due == due.epochMilliseconds)
        }
    }

    @Test(
        arguments: [
            ("2026-01-01T00:15:00Z", 1_767_226_500_000), ("2026-01-01T02:15:00.5+02:00", 1_767_226_500_500),
        ] as [(String, Int64)])
    func expiresAtIsReadWithOrWithoutFractionsAndWithOffsets(expiresAt: String, due: Int64) async throws {
        try await with { harness in
            let result = try await harness.deliver("expiration-on-order-created", try created(expiresAt: expiresAt))
            #expect(result.outcome == .handled)
            #expect(try await timers(harness).map(\.due) == [due])
        }
    }

    @Test func aRedeliveredOrderCreatedKeepsOneTimer() async throws {
        try await with { harness in
            let event = try created(id: "oc-1")
            _ = try await harness.deliver("expiration-on-order-created", event)
            let again = try await harness.deliver("expiration-on-order-created", event)
            #expect(again.outcome == .duplicate && again.effects.isEmpty)
            _ = try await harness.deliver("expiration-on-order-created", try created())
            #expect(try await timers(harness).count == 1)
        }
    }

    @Test func aMalformedExpiresAtIsRejectedNotScheduled() async throws {
        try await with { harness in
            // Shaped like a timestamp (so it passes the schema's pattern), but no such date.
            let result = try await harness.deliver(
                "expiration-on-order-created", try created(expiresAt: "2026-13-45T99:99:99Z"))
            guard case .rejected(let message) = result.outcome else {
                Issue.record("expected a rejection, got \(result.outcome)")
                return
            }
            #expect(message.contains("expiresAt"))
            #expect(try await timers(harness).isEmpty)
        }
    }

    private func published(_ invocation: EventInvocation) -> [CloudEvent] {
        invocation.effects.compactMap { if case .published(let event) = $0 { event } else { nil } }
    }

    @Test func theTimerAsksPaymentsFirstAndFiresExpirationCompleteOnItsAnswer() async throws {
        try await with { harness in
            _ = try await harness.deliver("expiration-on-order-created", try created())
            harness.clock.set(Date(timeIntervalSince1970: 1_767_226_500))
            let fired = try await fire(harness)
            #expect(fired.outcome == .handled)
            let asked = try #require(published(fired).first)
            #expect(published(fired).count == 1)
            #expect(asked.type == "expiration:due")
            #expect(asked.source == "/ticketing/expiration")
            #expect(try asked.decodeData(as: ExpirationDue.self) == ExpirationDue(orderId: Self.orderID))
            #expect(try harness.contracts.violations(of: asked).isEmpty)
            // The same firing delivered twice publishes once.
            let again = try await fire(harness)
            #expect(again.outcome == .duplicate && again.effects.isEmpty)

            // Payments closed the window unpaid: the expiry fires at once.
            let answer = try await harness.deliver(
                "expiration-on-payment-expired", try event(PaymentExpired(orderId: Self.orderID), id: "pe-1"))
            #expect(answer.outcome == .handled)
            guard case .scheduled(let invocation)? = answer.effects.first, answer.effects.count == 1 else {
                Issue.record("expected one scheduled invocation, got \(answer.effects)")
                return
            }
            #expect(invocation.function == "expiration-fire" && invocation.key == Self.orderID)
            #expect(invocation.dueAt == harness.clock.now)
            let completed = try await fire(harness, id: "timer-2")
            let event = try #require(published(completed).first)
            #expect(published(completed).count == 1)
            #expect(event.type == "expiration:complete")
            #expect(try event.decodeData(as: ExpirationComplete.self) == ExpirationComplete(orderId: Self.orderID))
            #expect(try harness.contracts.violations(of: event).isEmpty)
        }
    }

    @Test func aFiringForAnOrderThisServiceNeverScheduledPublishesTheExpiry() async throws {
        // A timer set before payment windows were kept, or `ticketing invoke expiration-fire` by hand.
        try await with { harness in
            let fired = try await fire(harness, orderID: "order-of-old")
            #expect(published(fired).map(\.type) == ["expiration:complete"])
        }
    }

    @Test func paymentsAnswerForACancelledOrderFiresNothing() async throws {
        try await with { harness in
            _ = try await harness.deliver("expiration-on-order-created", try created())
            _ = try await harness.deliver("expiration-on-order-cancelled", try cancelled())
            let answer = try await harness.deliver(
                "expiration-on-payment-expired", try event(PaymentExpired(orderId: Self.orderID), id: "pe-1"))
            #expect(answer.outcome == .handled && answer.effects.isEmpty)
        }
    }

    @Test func aCancelledOrdersTimerIsWithdrawn() async throws {
        try await with { harness in
            _ = try await harness.deliver("expiration-on-order-created", try created())
            let event = try cancelled(id: "ox-1")
            let result = try await harness.deliver("expiration-on-order-cancelled", event)
            #expect(result.outcome == .handled)
            #expect(result.effects == [.cancelledSchedule(function: "expiration-fire", key: Self.orderID)])
            #expect(try await timers(harness).isEmpty)
            let again = try await harness.deliver("expiration-on-order-cancelled", event)
            #expect(again.outcome == .duplicate && again.effects.isEmpty)
            let another = try await harness.deliver("expiration-on-order-cancelled", try cancelled())
            #expect(another.outcome == .handled && another.effects.isEmpty)
            // A firing already on its way when the order was cancelled publishes nothing.
            let late = try await fire(harness)
            #expect(late.outcome == .handled && late.effects.isEmpty)
        }
    }

    @Test func aCancellationThatArrivesFirstKeepsTheLateOrderFromBeingScheduled() async throws {
        try await with { harness in
            let early = try await harness.deliver("expiration-on-order-cancelled", try cancelled())
            #expect(early.outcome == .handled && early.effects.isEmpty)
            let late = try await harness.deliver("expiration-on-order-created", try created())
            #expect(late.outcome == .handled && late.effects.isEmpty)
            #expect(try await timers(harness).isEmpty)
        }
    }

    @Test func ordersHaveTimersOfTheirOwn() async throws {
        try await with { harness in
            _ = try await harness.deliver("expiration-on-order-created", try created("order-a"))
            _ = try await harness.deliver(
                "expiration-on-order-created", try created("order-b", expiresAt: "2026-01-01T00:20:00.000Z"))
            _ = try await harness.deliver("expiration-on-order-cancelled", try cancelled("order-a"))
            #expect(try await timers(harness).map(\.key) == ["order-b"])
        }
    }
}
