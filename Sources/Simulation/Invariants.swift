import Foundation
import FunctionKit
import FunctionTesting
import Runtime
import SQLKit

/// What the marketplace promises, checked against its databases and Stripe once the simulation has
/// quiesced.
struct Invariants {
    let simulation: Simulation

    private var harness: TestHarness { simulation.harness }

    private func violation(_ text: String) {
        simulation.violation(text)
    }

    /// Whether `consumer`'s inbox holds `eventID`.
    static func inboxHolds(_ eventID: String, consumer: String, in harness: TestHarness) async throws -> Bool {
        guard let service = harness.invoker.registry.entry(named: consumer)?.service else { return false }
        return try await Inbox.holds(eventID, consumer: consumer, in: harness.invoker.database(for: service))
    }

    private func rows(_ service: String, _ query: String) async throws -> [any SQLRow] {
        try await harness.invoker.database(for: service).read { sql in
            try await sql.raw(SQLQueryString(stringLiteral: query)).all()
        }
    }

    func check() async throws {
        try await everyEventReachedEveryConsumer()
        try await nothingLeftScheduled()
        try await deadLettersExplained()
        for failure in simulation.plan.unfaultedFailures { violation("a delivery failed with no fault: \(failure)") }
        let orders = try await ordersEnded()
        try await ticketsReservedByLiveOrders(orders)
        try await replicasAgree(orders)
        try await acceptedWorkKept(orders)
        try await chargesSettled(orders)
    }

    /// No published event lost: each is in the inbox of every function subscribed to its subject, or
    /// dead-lettered for it. (The inbox's key makes a second application impossible to record; the
    /// redelivery step checks it changes nothing, and the replicas' versions below would show it.)
    private func everyEventReachedEveryConsumer() async throws {
        let registry = harness.invoker.registry
        let dead = Set(try await harness.deadLetters().map { "\($0.consumer) \($0.event.id)" })
        for publisher in registry.services.keys.sorted() {
            let events = try await Outbox(harness.invoker.database(for: publisher)).events(after: 0, limit: 1_000_000)
            for outboxEvent in events {
                let event = outboxEvent.event
                for entry in registry.entries {
                    guard case .subscription(let subject) = entry.declaration.trigger, subject == event.type else {
                        continue
                    }
                    if try await Self.inboxHolds(event.id, consumer: entry.name, in: harness) { continue }
                    if dead.contains("\(entry.name) \(event.id)") { continue }
                    violation("\(event.type) \(event.id) from \(publisher) never reached \(entry.name)")
                }
            }
        }
    }

    /// Nothing stuck: no timer left in any service once every window and retry has passed.
    private func nothingLeftScheduled() async throws {
        for service in harness.invoker.registry.services.keys.sorted() {
            for timer in try await Timers(harness.invoker.database(for: service)).all() {
                violation("timer \(timer.function) \(timer.key) of \(service) still set, due \(timer.dueAt.iso8601)")
            }
        }
    }

    /// Dead letters only where faults made them inevitable: every attempt they record was hit by one.
    private func deadLettersExplained() async throws {
        let letters = try await harness.deadLetters()
        simulation.report.deadLetters = letters.count
        for letter in letters {
            let faulted = simulation.plan.faultedDeliveries(of: letter.event.id, to: letter.consumer)
            if faulted < letter.attempts {
                violation(
                    "\(letter.consumer) dead-lettered \(letter.event.type) \(letter.event.id) after \(letter.attempts) "
                        + "attempts, \(faulted) of them faulted: \(letter.error)")
            }
        }
    }

    struct Order {
        var id: String
        var ticketID: String
        var status: String
    }

    /// Every order ended `complete` or `cancelled` once its window passed; at most one live order per ticket.
    private func ordersEnded() async throws -> [String: Order] {
        var orders: [String: Order] = [:]
        var live: [String: [String]] = [:]
        for row in try await rows("orders", "SELECT id, ticket_id, status FROM orders") {
            let order = Order(
                id: try row.decode(column: "id", as: String.self),
                ticketID: try row.decode(column: "ticket_id", as: String.self),
                status: try row.decode(column: "status", as: String.self))
            orders[order.id] = order
            if order.status != "complete" && order.status != "cancelled" {
                violation("order \(order.id) is still \(order.status) after its window")
            }
            if order.status != "cancelled" { live[order.ticketID, default: []].append(order.id) }
        }
        for (ticket, ids) in live where ids.count > 1 {
            violation("ticket \(ticket) has \(ids.count) live orders: \(ids.sorted().joined(separator: ", "))")
        }
        return orders
    }

    /// A ticket is reserved iff it has a live order, and by that order.
    private func ticketsReservedByLiveOrders(_ orders: [String: Order]) async throws {
        let liveByTicket = Dictionary(
            orders.values.filter { $0.status != "cancelled" }.map { ($0.ticketID, $0.id) },
            uniquingKeysWith: { first, _ in first })
        for row in try await rows("tickets", "SELECT id, order_id FROM tickets") {
            let id = try row.decode(column: "id", as: String.self)
            let reservedBy = try row.decode(column: "order_id", as: String?.self)
            if reservedBy != liveByTicket[id] {
                violation(
                    "ticket \(id) is reserved by \(reservedBy ?? "nobody") but its live order is "
                        + "\(liveByTicket[id] ?? "none")")
            }
        }
    }

    /// The copies other services keep agree with their owners': no event lost, none applied twice.
    private func replicasAgree(_ orders: [String: Order]) async throws {
        var tickets: [String: (version: Int64, price: Int64)] = [:]
        for row in try await rows("tickets", "SELECT id, version, price_cents FROM tickets") {
            tickets[try row.decode(column: "id", as: String.self)] = (
                try row.decode(column: "version", as: Int64.self), try row.decode(column: "price_cents", as: Int64.self)
            )
        }
        var replicas: [String: (version: Int64, price: Int64)] = [:]
        for row in try await rows("orders", "SELECT id, version, price_cents FROM ticket_replicas") {
            replicas[try row.decode(column: "id", as: String.self)] = (
                try row.decode(column: "version", as: Int64.self), try row.decode(column: "price_cents", as: Int64.self)
            )
        }
        for (id, ticket) in tickets {
            guard let replica = replicas[id] else {
                violation("orders has no copy of ticket \(id)")
                continue
            }
            if replica != ticket {
                violation(
                    "orders' copy of ticket \(id) is version \(replica.version) at \(replica.price), not \(ticket.version) at \(ticket.price)"
                )
            }
        }
        var orderReplicas: [String: String] = [:]
        for row in try await rows("payments", "SELECT id, status FROM order_replicas") {
            orderReplicas[try row.decode(column: "id", as: String.self)] = try row.decode(
                column: "status", as: String.self)
        }
        for order in orders.values {
            guard let status = orderReplicas[order.id] else {
                violation("payments has no copy of order \(order.id)")
                continue
            }
            if (status == "cancelled") != (order.status == "cancelled") {
                violation("payments' copy of order \(order.id) is \(status), the order is \(order.status)")
            }
        }
    }

    /// Nothing accepted is lost: every ticket and order answered 201 exists.
    private func acceptedWorkKept(_ orders: [String: Order]) async throws {
        let tickets = Set(
            try await rows("tickets", "SELECT id FROM tickets").map { try $0.decode(column: "id", as: String.self) })
        for ticket in simulation.model.tickets where !tickets.contains(ticket.id) {
            violation("ticket \(ticket.id) was accepted (201) but is gone")
        }
        for order in simulation.model.orders where orders[order.id] == nil {
            violation("order \(order.id) was accepted (201) but is gone")
        }
        // A paid order is never cancelled by its expiry. Its buyer may still cancel it while orders has not
        // heard of the payment (the two services answer on their own): the cancellation is answered 204, and
        // the charge is refunded (checked below).
        for order in simulation.model.orders where order.paid && !order.cancelAsked {
            if let status = orders[order.id]?.status, status != "complete" {
                violation("order \(order.id) was paid (201) and its buyer did not cancel it, but it is \(status)")
            }
        }
        for order in simulation.model.orders where order.cancelled {
            if let status = orders[order.id]?.status, status != "cancelled" {
                violation("order \(order.id) was cancelled by its buyer (204) but is \(status)")
            }
        }
    }

    /// At most one charge kept per order: a complete order keeps exactly one, a cancelled one none (every
    /// charge on it refunded), and no charge is for an order that does not exist.
    private func chargesSettled(_ orders: [String: Order]) async throws {
        let refunded = Set(await simulation.stripe.mock.refunds.map(\.chargeID))
        simulation.report.charges = simulation.stripe.orders.count
        simulation.report.refunds = refunded.count
        simulation.report.ordersComplete = orders.values.filter { $0.status == "complete" }.count
        simulation.report.ordersCancelled = orders.values.filter { $0.status == "cancelled" }.count
        var kept: [String: [String]] = [:]
        for (charge, orderID) in simulation.stripe.orders where !refunded.contains(charge) {
            guard orders[orderID] != nil else {
                violation("charge \(charge) is for order '\(orderID)', which does not exist")
                continue
            }
            kept[orderID, default: []].append(charge)
        }
        for order in orders.values {
            let charges = kept[order.id] ?? []
            switch order.status {
            case "complete" where charges.count != 1:
                violation("complete order \(order.id) kept \(charges.count) charges: \(charges.sorted())")
            case "cancelled" where !charges.isEmpty:
                violation("cancelled order \(order.id) kept charges \(charges.sorted()), not refunded")
            default: break
            }
        }
    }
}
