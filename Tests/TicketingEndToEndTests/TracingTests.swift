import ChildProcess
import Foundation
import Testing

/// Spans exported over OTLP/HTTP (swift-otel) to a receiver built on the OpenTelemetry protocol's own
/// messages (Tests/Support/otlp_receiver.py, PyPI's opentelemetry-proto).
@Suite struct TracingTests {
    /// The receiver: a Python process printing one JSON line per span it is sent.
    final class Receiver: @unchecked Sendable {
        let process: ChildProcess
        let output: URL
        let url: String

        init() throws {
            output = FileManager.default.temporaryDirectory.appendingPathComponent("otlp-\(UUID().uuidString)")
            process = try ChildProcess(
                "/usr/bin/env",
                ["python3", CommandRunner.root.appendingPathComponent("Tests/Support/otlp_receiver.py").path],
                output: .file(output.path), error: .file(output.path))
            var found: String?
            for _ in 0..<600 where found == nil && process.isRunning {
                found = Self.lines(output).first { $0.hasPrefix("listening on ") }.map {
                    String($0.dropFirst("listening on ".count))
                }
                if found == nil { usleep(50_000) }
            }
            guard let found else {
                process.terminate()
                throw Shopper.Failure(
                    description: "the OTLP receiver did not start (run scripts/setup): \(Self.lines(output))")
            }
            url = found
        }

        static func lines(_ file: URL) -> [String] {
            ((try? String(contentsOf: file, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
        }

        /// The spans received so far.
        var spans: [[String: Any]] {
            Self.lines(output).compactMap {
                (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any]
            }
        }

        func stop() {
            process.terminate()
            process.waitUntilExit()
            try? FileManager.default.removeItem(at: output)
        }
    }

    /// One purchase — the order, then its payment, both sent within one trace by the client — reaches the
    /// receiver as a tree: each request a server span whose parent is the client's span, each delivery of
    /// what it published a producer span below it, each invocation that delivery made a consumer span below
    /// that.
    @Test func aPurchasesSpansReachTheCollectorParentToChild() async throws {
        let receiver = try Receiver()
        defer { receiver.stop() }
        let server = try ServerProcess(environment: [
            "OTEL_EXPORTER_OTLP_ENDPOINT": receiver.url, "OTEL_BSP_SCHEDULE_DELAY": "100",
            "OTEL_SERVICE_NAME": "marketplace",
        ])
        defer { server.stop() }
        let alice = try await Shopper.signUp("alice@example.com", on: server)
        let bob = try await Shopper.signUp("bob@example.com", on: server)
        let ticket = try await alice.list("Concert", price: "19.99")
        _ = try await bob.orderWhenKnown(ticket)
        let other = try await alice.list("Recital", price: "5")
        // Once payments knows of the first order, the second ticket's order and payment are the traced purchase.
        let traceID = "5b8aa5a2d2c872e8321cf37308d69df2"
        let orderSpan = "051581bf3cb55c13"
        let paySpan = "1fc0f2f3cb2dc3a4"
        var ordered = try await server.request(
            "POST", "/api/orders", body: Data(#"{"ticketId":"\#(other)"}"#.utf8),
            headers: [
                "content-type": "application/json", "cookie": bob.cookie,
                "traceparent": "00-\(traceID)-\(orderSpan)-01",
            ])
        try await eventually("orders learns of the ticket") {
            guard ordered.status == 404 else { return true }
            ordered = try await server.request(
                "POST", "/api/orders", body: Data(#"{"ticketId":"\#(other)"}"#.utf8),
                headers: [
                    "content-type": "application/json", "cookie": bob.cookie,
                    "traceparent": "00-\(traceID)-\(orderSpan)-01",
                ])
            return ordered.status != 404
        }
        #expect(ordered.status == 201, "\(ordered.text)")
        let orderID = try #require(ordered.object["id"] as? String)
        var paid: ServerProcess.Reply?
        try await eventually("payments learns of the order") {
            let reply = try await server.request(
                "POST", "/api/payments", body: Data(#"{"orderId":"\#(orderID)","token":"tok_visa"}"#.utf8),
                headers: [
                    "content-type": "application/json", "cookie": bob.cookie,
                    "traceparent": "00-\(traceID)-\(paySpan)-01",
                ])
            paid = reply
            return reply.status != 404
        }
        #expect(paid?.status == 201, "\(paid?.text ?? "")")

        var spans: [[String: Any]] = []
        try await eventually("the purchase's spans arrive", seconds: 30) {
            spans = receiver.spans.filter { $0["traceId"] as? String == traceID }
            return spans.contains { $0["name"] as? String == "orders-on-payment-created" }
        }
        func named(_ name: String) -> [[String: Any]] { spans.filter { $0["name"] as? String == name } }
        let byID = Dictionary(spans.map { ($0["spanId"] as? String ?? "", $0) }, uniquingKeysWith: { $1 })
        func parent(of span: [String: Any]) -> [String: Any]? { byID[span["parentSpanId"] as? String ?? ""] }

        #expect(spans.allSatisfy { $0["service"] as? String == "marketplace" })
        let create = try #require(named("orders-create").last)
        #expect(create["kind"] as? String == "SPAN_KIND_SERVER")
        #expect(create["parentSpanId"] as? String == orderSpan)
        let pay = try #require(named("payments-create").first)
        #expect(pay["parentSpanId"] as? String == paySpan)
        #expect((pay["attributes"] as? [String: Any])?["http.response.status_code"] as? Int == 201)
        // order:created went to its subscribers, each a consumer below the delivery, below the request.
        for consumer in ["tickets-on-order-created", "payments-on-order-created", "expiration-on-order-created"] {
            let invocation = try #require(named(consumer).first, "\(consumer): \(spans)")
            #expect(invocation["kind"] as? String == "SPAN_KIND_CONSUMER")
            let delivery = try #require(parent(of: invocation), "\(consumer)'s delivery")
            #expect(delivery["name"] as? String == "deliver order:created")
            #expect(delivery["kind"] as? String == "SPAN_KIND_PRODUCER")
            #expect(delivery["parentSpanId"] as? String == create["spanId"] as? String)
        }
        // payment:created, published by the payment, reached orders the same way.
        let completed = try #require(named("orders-on-payment-created").first)
        let delivery = try #require(parent(of: completed))
        #expect(delivery["name"] as? String == "deliver payment:created")
        #expect(delivery["parentSpanId"] as? String == pay["spanId"] as? String)
        // Every span of the trace hangs from one of the client's two spans.
        for span in spans {
            var node = span
            var steps = 0
            while let up = parent(of: node), steps < 20 {
                node = up
                steps += 1
            }
            #expect([orderSpan, paySpan].contains(node["parentSpanId"] as? String ?? ""), "\(span)")
        }
    }
}
