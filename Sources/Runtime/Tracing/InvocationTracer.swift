import FunctionKit
import Tracing

/// Starts the spans of invocations and deliveries on a swift-distributed-tracing tracer — ``W3CTracer``, which
/// only propagates, or an exporting one such as swift-otel's — and reads each span's W3C trace context back
/// through the tracer's own propagation, so whichever tracer runs, ids in logs, events and timers are its ids.
public struct InvocationTracer: Sendable {
    /// The tracer.
    public let tracer: any Tracer
    /// `tracer` when it is the propagating one, found once rather than cast on every span.
    private let propagating: W3CTracer?

    /// Propagation only: ``W3CTracer``. Made without the cast ``init(_:)`` does: a process's first dynamic
    /// casts search every protocol conformance of the binary (~3M instructions of `invoke`'s start, measured).
    public static let propagating = InvocationTracer(propagating: W3CTracer())

    /// Spans on `tracer`.
    public init(_ tracer: any Tracer) {
        self.tracer = tracer
        propagating = tracer as? W3CTracer
    }

    private init(propagating tracer: W3CTracer) {
        self.tracer = tracer
        propagating = tracer
    }

    /// Starts span `name` of `kind`, the child of `parent` (a new trace when `nil`).
    public func start(_ name: String, kind: SpanKind, parent: TraceContext?) -> InvocationSpan {
        if let propagating {
            // What the general path below does, without the carriers.
            let span = propagating.span(continuing: parent)
            return InvocationSpan(span: span, trace: span.trace)
        }
        var context = ServiceContext.topLevel
        if let parent {
            var carrier = ["traceparent": parent.traceparent]
            if let state = parent.tracestate { carrier["tracestate"] = state }
            tracer.extract(carrier, into: &context, using: TraceHeaders())
        }
        let span = tracer.startSpan(name, context: context, ofKind: kind)
        var carrier: [String: String] = [:]
        tracer.inject(span.context, into: &carrier, using: TraceHeaders())
        let trace =
            carrier["traceparent"].flatMap { TraceContext(traceparent: $0, tracestate: carrier["tracestate"]) }
            ?? parent?.child() ?? .newTrace()
        return InvocationSpan(span: span, trace: trace)
    }
}

/// A started span and the W3C trace context of it.
public struct InvocationSpan: Sendable {
    /// The span, to be ended.
    public let span: any Tracing.Span
    /// Its trace context: what the invocation's events and timers carry, and its log lines name.
    public let trace: TraceContext

    /// Sets `attributes` on a span that records them.
    public func set(_ attributes: @autoclosure () -> KeyValuePairs<String, SpanAttribute>) {
        guard span.isRecording else { return }
        for (name, value) in attributes() { span.attributes[name] = value }
    }

    /// Ends the span, as failed with `failure` when there is one.
    public func end(failure: String? = nil) {
        if let failure { span.setStatus(SpanStatus(code: .error, message: failure)) }
        span.end()
    }
}
