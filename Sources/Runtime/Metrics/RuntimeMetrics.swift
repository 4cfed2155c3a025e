import CoreMetrics
import Foundation
import FunctionKit
import Prometheus
import Synchronization

/// The runtime's metrics: recorded through swift-metrics into a Prometheus registry of their own, and written
/// out in Prometheus's text format for `GET /metrics`. A process has one (``shared``); a test makes its own,
/// so that its counts start at zero.
///
/// Every metric carries the function's name as its `function` label (`-` for a request no function
/// answered). The swift-metrics objects are made once per set of labels and kept under a small key: making
/// one looks it up in the registry under a lock and sorts its labels, and hashing the labels themselves cost a
/// tenth of a GET.
public final class RuntimeMetrics: Sendable {
    /// The process's metrics.
    public static let shared = RuntimeMetrics()

    private let registry = PrometheusCollectorRegistry()
    private let factory: PrometheusMetricsFactory
    /// The metrics of each set of labels seen, found again with one hash of a small key.
    private let kept = Mutex<[Key: Kept]>([:])
    /// Gauges read from a store before a scrape, by metric and then by label value.
    private let readGauges = Mutex<[String: [String: CoreMetrics.Gauge]]>([:])
    /// Each service's database metrics.
    private let databases = Mutex<[String: DatabaseMetrics]>([:])
    private let collectors = Mutex<[@Sendable () async -> Void]>([])

    private enum Name: UInt8 {
        case request, invocation, deliveryLag, timerLateness
    }

    /// What a measurement is of: the metric, the function, and a method and status or an outcome.
    private struct Key: Hashable {
        var name: Name
        var function: String
        var detail = ""
        var status = 0
    }

    /// The swift-metrics objects one measurement records into.
    private struct Kept: Sendable {
        var counter: CoreMetrics.Counter?
        var timer: CoreMetrics.Timer
    }

    /// Buckets for durations: requests and invocations here take from tens of microseconds to seconds.
    static let durationBuckets: [Duration] = [
        .microseconds(250), .microseconds(500), .milliseconds(1), .milliseconds(2.5), .milliseconds(5),
        .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250),
        .milliseconds(500), .seconds(1), .seconds(2.5), .seconds(5), .seconds(10), .seconds(30),
    ]

    /// Metrics starting from zero.
    public init() {
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.defaultDurationHistogramBuckets = Self.durationBuckets
        self.factory = factory
    }

    /// An HTTP request answered: `ticketing_http_requests_total{function,method,status}` and
    /// `ticketing_http_request_duration_seconds{function,method}`.
    public func request(function: String?, method: String, status: Int, duration: Duration) {
        let key = Key(name: .request, function: function ?? "-", detail: method, status: status)
        let metrics = kept(key) {
            Kept(
                counter: counter(
                    "ticketing_http_requests_total",
                    [("function", key.function), ("method", method), ("status", String(status))]),
                timer: timer(
                    "ticketing_http_request_duration_seconds", [("function", key.function), ("method", method)]))
        }
        metrics.counter?.increment()
        metrics.timer.recordNanoseconds(Self.nanoseconds(duration))
    }

    /// An invocation ended with `outcome` (`handled`, `duplicate`, `rejected`, `failed`, `deferred`; an HTTP
    /// function's is `handled` or `failed`): `ticketing_invocations_total{function,outcome}` and
    /// `ticketing_invocation_duration_seconds{function}`.
    public func invocation(function: String, outcome: String, duration: Duration) {
        let key = Key(name: .invocation, function: function, detail: outcome)
        let metrics = kept(key) {
            Kept(
                counter: counter("ticketing_invocations_total", [("function", function), ("outcome", outcome)]),
                timer: timer("ticketing_invocation_duration_seconds", [("function", function)]))
        }
        metrics.counter?.increment()
        metrics.timer.recordNanoseconds(Self.nanoseconds(duration))
    }

    /// An event handled by its consumer `lag` seconds after it was published (publish → the consumer's commit):
    /// `ticketing_delivery_lag_seconds{function}`.
    public func delivered(function: String, lag: TimeInterval) {
        kept(Key(name: .deliveryLag, function: function)) {
            Kept(timer: timer("ticketing_delivery_lag_seconds", [("function", function)]))
        }.timer.recordNanoseconds(Int64(max(0, lag) * 1e9))
    }

    /// A timer fired `lateness` seconds after it was due: `ticketing_timer_lateness_seconds{function}`.
    public func fired(function: String, lateness: TimeInterval) {
        kept(Key(name: .timerLateness, function: function)) {
            Kept(timer: timer("ticketing_timer_lateness_seconds", [("function", function)]))
        }.timer.recordNanoseconds(Int64(max(0, lateness) * 1e9))
    }

    /// The dead letters waiting for an operator, by the function they were meant for:
    /// `ticketing_dead_letters{function}` (0 for a function with none, once it has had one).
    public func deadLetters(_ counts: [String: Int]) {
        gauges("ticketing_dead_letters", counts)
    }

    /// The events published and not yet handled, by the function subscribed to them (every event of its
    /// subject after its cursor, from every publisher): `ticketing_events_waiting{function}`.
    public func eventsWaiting(_ counts: [String: Int]) {
        gauges("ticketing_events_waiting", counts)
    }

    /// The timers set and not fired yet, by the function they will invoke (`ticketing_timers_pending`), and
    /// of those the ones already due (`ticketing_timers_due`): a due timer waits for the scheduler, or for a
    /// retry.
    public func timers(pending: [String: Int], due: [String: Int]) {
        gauges("ticketing_timers_pending", pending)
        gauges("ticketing_timers_due", due)
    }

    /// Records `counts` into the gauges `name{function}`; a function counted before and not now reads 0.
    private func gauges(_ name: String, _ counts: [String: Int]) {
        readGauges.withLock { all in
            var gauges = all[name] ?? [:]
            for function in counts.keys where gauges[function] == nil {
                gauges[function] = CoreMetrics.Gauge(
                    label: name, dimensions: [("function", function)], factory: factory)
            }
            for (function, gauge) in gauges { gauge.record(counts[function] ?? 0) }
            all[name] = gauges
        }
    }

    /// The metrics of `service`'s database connections (PostgreSQL): made once, kept.
    public func database(_ service: String, maximumConnections: Int) -> DatabaseMetrics {
        databases.withLock { databases in
            if let known = databases[service] { return known }
            let made = DatabaseMetrics(service: service, maximumConnections: maximumConnections, factory: factory)
            databases[service] = made
            return made
        }
    }

    /// Adds work to do before each ``exposition()`` — reading figures that are only in a database, such as
    /// the dead letters.
    public func addCollector(_ collector: @escaping @Sendable () async -> Void) {
        collectors.withLock { $0.append(collector) }
    }

    /// Runs the collectors: `GET /metrics` calls it before ``exposition()``.
    public func collect() async {
        for collector in collectors.withLock({ $0 }) { await collector() }
    }

    /// Every metric in Prometheus's text exposition format (version 0.0.4).
    public func exposition() -> [UInt8] {
        var text: [UInt8] = []
        registry.emit(into: &text)
        return text
    }

    /// The answer to `GET /metrics`: the collectors run, then every metric in the text format.
    public func response() async -> FunctionKit.HTTPResponse {
        await collect()
        return FunctionKit.HTTPResponse(
            statusCode: 200, headers: ["content-type": Self.contentType],
            body: String(decoding: exposition(), as: UTF8.self))
    }

    /// The content type of ``exposition()``.
    public static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    /// The metrics kept for `key`, made by `make` the first time.
    private func kept(_ key: Key, make: () -> Kept) -> Kept {
        if let known = kept.withLock({ $0[key] }) { return known }
        let made = make()
        return kept.withLock { kept in
            if let raced = kept[key] { return raced }
            kept[key] = made
            return made
        }
    }

    private func counter(_ name: String, _ dimensions: [(String, String)]) -> CoreMetrics.Counter {
        CoreMetrics.Counter(label: name, dimensions: dimensions, factory: factory)
    }

    private func timer(_ name: String, _ dimensions: [(String, String)]) -> CoreMetrics.Timer {
        CoreMetrics.Timer(label: name, dimensions: dimensions, factory: factory)
    }

    private static func nanoseconds(_ duration: Duration) -> Int64 {
        duration.components.seconds * 1_000_000_000 + duration.components.attoseconds / 1_000_000_000
    }
}
