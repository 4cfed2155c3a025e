import FunctionKit

/// AWS X-Ray's trace header (`X-Amzn-Trace-Id`, and `Lambda-Runtime-Trace-Id` / `_X_AMZN_TRACE_ID` on Lambda)
/// read as W3C trace context: `Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1`
/// is trace `5759e988bd862e3fe1be46a994272793` (X-Ray's epoch seconds and random part together, as
/// OpenTelemetry's X-Ray propagator reads them), parent span `53995c3f42cd8ad8`, flags `01`.
enum AmazonTraceHeader {
    /// The trace context of `header`, or `nil` when it has no well-formed `Root`. Without a `Parent` the
    /// context gets a span id of its own, so what continues it still belongs to the trace.
    static func trace(from header: String) -> TraceContext? {
        var root: Substring?
        var parent: Substring?
        var sampled: Substring?
        for field in header.split(separator: ";") {
            let parts = field.split(separator: "=", maxSplits: 1)
            guard parts.count == 2 else { continue }
            let name = parts[0].trimmingWhitespace()
            switch name {
            case "Root": root = parts[1]
            case "Parent": parent = parts[1]
            case "Sampled": sampled = parts[1]
            default: continue
            }
        }
        guard let root else { return nil }
        let pieces = root.split(separator: "-")
        guard pieces.count == 3, pieces[0] == "1", pieces[1].count == 8, pieces[2].count == 24 else { return nil }
        let traceID = (pieces[1] + pieces[2]).lowercased()
        let spanID = parent.map { $0.lowercased() } ?? TraceContext.newTrace().spanID
        let flags = sampled == "0" ? "00" : "01"
        return TraceContext(traceparent: "00-\(traceID)-\(spanID)-\(flags)")
    }
}
