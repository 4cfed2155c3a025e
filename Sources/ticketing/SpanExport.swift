import Foundation
import Logging
import OTel
import Runtime
import ServiceLifecycle
import Tracing

/// Spans exported over OTLP/HTTP by swift-otel, when `OTEL_EXPORTER_OTLP_ENDPOINT` (or
/// `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`) is set: the tracer invocations and deliveries start their spans on, and
/// the exporter's background work, run beside the command until ``stop()`` sends what is left.
///
/// swift-otel reads the other `OTEL_*` settings itself (`OTEL_SERVICE_NAME`, `OTEL_EXPORTER_OTLP_PROTOCOL`
/// `http/protobuf` or `http/json`, `OTEL_EXPORTER_OTLP_HEADERS`, `OTEL_TRACES_SAMPLER`, `OTEL_BSP_*`, …).
/// Without an endpoint, spans only carry the trace context along (``W3CTracer``) and nothing runs.
struct SpanExport: Sendable {
    private let group: ServiceGroup
    private let running: Task<Void, Never>

    /// The tracer for `environment`, and the export running for it when one is configured.
    static func start(_ environment: [String: String], logger: Logger) throws -> (InvocationTracer, SpanExport?) {
        guard let endpoint = try Self.endpoint(environment) else { return (.propagating, nil) }
        var configuration = OTel.Configuration.default
        configuration.serviceName = "ticketing"
        configuration.diagnosticLogger = .custom(logger)
        // swift-otel's own lines at the runtime's level, except its info ones (each setting read from the
        // environment, on every start), which only debugging asks for.
        configuration.diagnosticLogLevel =
            switch logger.logLevel {
            case .trace: .trace
            case .debug: .debug
            case .info, .notice, .warning: .warning
            case .error, .critical: .error
            }
        configuration.metrics.enabled = false
        configuration.logs.enabled = false
        configuration.traces.exporter = .otlp
        let backend: (tracer: any Tracer, service: any Service)
        do {
            let made = try OTel.makeTracingBackend(configuration: configuration)
            backend = (made.factory, made.service)
        } catch {
            throw CommandError("cannot export spans to \(endpoint): \(error)")
        }
        let group = ServiceGroup(services: [backend.service], gracefulShutdownSignals: [], logger: logger)
        let running = Task {
            do {
                try await group.run()
            } catch {
                logger.warning("span export stopped", metadata: ["error": "\(error)"])
            }
        }
        return (InvocationTracer(backend.tracer), SpanExport(group: group, running: running))
    }

    /// Where spans go: the traces endpoint, else the general one; `nil` when neither is set or
    /// `OTEL_TRACES_EXPORTER` is `none`. The settings swift-otel would not refuse by itself are checked here,
    /// each refused in one line: an endpoint that is not an http(s) URL, and an exporter or protocol this build
    /// does not have (OTLP over HTTP only). Other `OTEL_*` values swift-otel reads as the OpenTelemetry
    /// specification asks: a malformed one is warned about and its default used.
    static func endpoint(_ environment: [String: String]) throws -> String? {
        switch environment["OTEL_TRACES_EXPORTER"]?.lowercased() {
        case nil, "", "otlp": break
        case "none": return nil
        case let other?: throw CommandError("OTEL_TRACES_EXPORTER must be otlp or none, not '\(other)'")
        }
        for name in ["OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "OTEL_EXPORTER_OTLP_PROTOCOL"] {
            guard let value = environment[name], !value.isEmpty else { continue }
            guard ["http/protobuf", "http/json"].contains(value) else {
                throw CommandError(
                    "\(name) must be http/protobuf or http/json (spans are exported over OTLP/HTTP), not '\(value)'")
            }
        }
        var found: String?
        for name in ["OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"] {
            guard let value = environment[name], !value.isEmpty else { continue }
            guard let url = URL(string: value), let scheme = url.scheme?.lowercased(),
                scheme == "http" || scheme == "https", url.host?.isEmpty == false
            else {
                throw CommandError("\(name) must be an http(s)://host:port URL, not '\(value)'")
            }
            found = value
        }
        return found
    }

    /// Sends the spans not sent yet and stops, giving up on them after `limit` (a collector that does not
    /// answer must not hold up the command's exit).
    func stop(within limit: Duration = .seconds(3)) async {
        await group.triggerGracefulShutdown()
        let running = self.running
        await withTaskGroup(of: Void.self) { tasks in
            tasks.addTask { await running.value }
            tasks.addTask {
                guard (try? await Task.sleep(for: limit)) != nil else { return }
                running.cancel()
            }
            await tasks.next()
            tasks.cancelAll()
        }
    }
}
