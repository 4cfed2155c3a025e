import Expiration
import Foundation
import FunctionKit
import FunctionTesting
import Orders
import Testing
import Tickets

@testable import Runtime

/// The runtime's metrics as Prometheus reads them.
@Suite struct RuntimeMetricsTests {
    static func text(_ metrics: RuntimeMetrics) -> String {
        String(decoding: metrics.exposition(), as: UTF8.self)
    }

    @Test func requestsAndInvocationsAreCountedAndTimedByFunction() {
        let metrics = RuntimeMetrics()
        metrics.request(function: "tickets-show", method: "GET", status: 200, duration: .microseconds(300))
        metrics.request(function: "tickets-show", method: "GET", status: 200, duration: .milliseconds(3))
        metrics.request(function: nil, method: "GET", status: 404, duration: .microseconds(50))
        metrics.invocation(function: "orders-on-ticket-created", outcome: "duplicate", duration: .milliseconds(1))
        let text = Self.text(metrics)
        #expect(text.contains(#"ticketing_http_requests_total{function="tickets-show",method="GET",status="200"} 2"#))
        #expect(text.contains(#"ticketing_http_requests_total{function="-",method="GET",status="404"} 1"#))
        #expect(
            text.contains(#"ticketing_http_request_duration_seconds_count{function="tickets-show",method="GET"} 2"#))
        #expect(
            text.contains(
                #"ticketing_http_request_duration_seconds_bucket{function="tickets-show",method="GET",le="0.0005"} 1"#))
        #expect(
            text.contains(#"ticketing_invocations_total{function="orders-on-ticket-created",outcome="duplicate"} 1"#))
        #expect(text.contains("# TYPE ticketing_invocation_duration_seconds histogram"))
    }

    @Test func deliveryLagTimerLatenessAndDeadLetters() async {
        let metrics = RuntimeMetrics()
        metrics.delivered(function: "orders-on-ticket-created", lag: 0.002)
        metrics.fired(function: "expiration-fire", lateness: 0.0009)
        let counts = ["payments-on-order-created": 2]
        metrics.addCollector { metrics.deadLetters(counts) }
        await metrics.collect()
        var text = Self.text(metrics)
        #expect(
            text.contains(#"ticketing_delivery_lag_seconds_bucket{function="orders-on-ticket-created",le="0.0025"} 1"#))
        #expect(text.contains(#"ticketing_timer_lateness_seconds_bucket{function="expiration-fire",le="0.001"} 1"#))
        #expect(text.contains(#"ticketing_dead_letters{function="payments-on-order-created"} 2.0"#))
        // Redriven: the gauge goes back to zero rather than keeping its last value.
        metrics.deadLetters([:])
        text = Self.text(metrics)
        #expect(text.contains(#"ticketing_dead_letters{function="payments-on-order-created"} 0.0"#))
    }

    /// What is only in the stores, read at each scrape: a subscription's backlog until delivery catches up,
    /// and the timers set and due by the function they will invoke.
    @Test func eventsWaitingAndTimersPendingAndDue() async throws {
        let services = [TicketsService.definition(), OrdersService.definition(), ExpirationService.definition()]
        try await TestHarness.with(services: services) { harness in
            let metrics = RuntimeMetrics()
            let context = harness.invoker.deliveryContext()
            Dispatcher(context).report(to: metrics)
            Scheduler(context).report(to: metrics)
            func scrape() async -> String {
                await metrics.collect()
                return Self.text(metrics)
            }
            let alice = try await harness.token(userID: "alice", email: "alice@example.com")
            let bob = try await harness.token(userID: "bob", email: "bob@example.com")
            let created = try await harness.http("tickets-create", body: #"{"title":"Opera","price":25}"#, token: alice)
            var text = await scrape()
            #expect(text.contains(#"ticketing_events_waiting{function="orders-on-ticket-created"} 1.0"#), "\(text)")
            #expect(text.contains(#"ticketing_events_waiting{function="tickets-on-order-created"} 0.0"#))
            #expect(text.contains(#"ticketing_timers_pending{function="expiration-fire"} 0.0"#))
            try await harness.settle()
            text = await scrape()
            #expect(text.contains(#"ticketing_events_waiting{function="orders-on-ticket-created"} 0.0"#))

            let ticket = try #require(created.string("id"))
            let ordered = try await harness.http(
                "orders-create", json: .object(["ticketId": .string(ticket)]), token: bob)
            #expect(ordered.status == 201)
            try await harness.settle()
            text = await scrape()
            #expect(text.contains(#"ticketing_timers_pending{function="expiration-fire"} 1.0"#), "\(text)")
            #expect(text.contains(#"ticketing_timers_due{function="expiration-fire"} 0.0"#))
            harness.clock.advance(by: 900)
            text = await scrape()
            #expect(text.contains(#"ticketing_timers_due{function="expiration-fire"} 1.0"#), "\(text)")
            try await harness.settle()
            text = await scrape()
            #expect(text.contains(#"ticketing_timers_pending{function="expiration-fire"} 0.0"#))
            #expect(text.contains(#"ticketing_timers_due{function="expiration-fire"} 0.0"#))
        }
    }

    /// Each PostgreSQL service's pool and its transactions' retries (PostgresEngineTests measure a real one).
    @Test func aPostgresPoolIsMeasured() async throws {
        let metrics = RuntimeMetrics()
        let database = metrics.database("tickets", maximumConnections: 8)
        database.leased(after: .milliseconds(2))
        database.retried()
        var text = Self.text(metrics)
        #expect(text.contains(#"ticketing_database_connections_in_use{service="tickets"} 1.0"#), "\(text)")
        database.returned()
        text = Self.text(metrics)
        #expect(text.contains(#"ticketing_database_connections_max{service="tickets"} 8.0"#))
        #expect(text.contains(#"ticketing_database_connections_in_use{service="tickets"} 0.0"#))
        #expect(text.contains(#"ticketing_database_connection_wait_seconds_bucket{service="tickets",le="0.0025"} 1"#))
        #expect(text.contains(#"ticketing_database_transaction_retries_total{service="tickets"} 1"#))
    }
}
