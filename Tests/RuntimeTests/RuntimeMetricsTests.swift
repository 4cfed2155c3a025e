import Testing

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
}
