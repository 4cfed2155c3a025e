import CoreMetrics
import Prometheus

/// One service's database pool and transactions, as ``RuntimeMetrics`` exports them (PostgreSQL; SQLite's one
/// writer has no pool to watch): `ticketing_database_connections_max{service}`, the pool's size;
/// `ticketing_database_connections_in_use{service}`; `ticketing_database_connection_wait_seconds{service}`, how
/// long a transaction or read waited for a connection; and `ticketing_database_transaction_retries_total{service}`,
/// transactions run again after a serialization failure or a deadlock.
public struct DatabaseMetrics: Sendable {
    private let inUse: Meter
    private let wait: CoreMetrics.Timer
    private let retries: CoreMetrics.Counter

    init(service: String, maximumConnections: Int, factory: PrometheusMetricsFactory) {
        let dimensions = [("service", service)]
        CoreMetrics.Gauge(label: "ticketing_database_connections_max", dimensions: dimensions, factory: factory)
            .record(maximumConnections)
        inUse = Meter(label: "ticketing_database_connections_in_use", dimensions: dimensions, factory: factory)
        inUse.set(0)
        wait = CoreMetrics.Timer(
            label: "ticketing_database_connection_wait_seconds", dimensions: dimensions, factory: factory)
        retries = CoreMetrics.Counter(
            label: "ticketing_database_transaction_retries_total", dimensions: dimensions, factory: factory)
    }

    /// A connection was leased after waiting `duration` for it.
    public func leased(after duration: Duration) {
        inUse.increment()
        wait.recordNanoseconds(
            duration.components.seconds * 1_000_000_000 + duration.components.attoseconds / 1_000_000_000)
    }

    /// A leased connection went back to the pool.
    public func returned() {
        inUse.decrement()
    }

    /// A transaction is run again.
    public func retried() {
        retries.increment()
    }
}
