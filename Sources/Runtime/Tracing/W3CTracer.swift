import FunctionKit
import Tracing

/// The tracer used when no exporter is configured: it keeps W3C trace context flowing — a span continues the
/// trace of its parent with a span id of its own, or starts a new trace — and records nothing.
public struct W3CTracer: Tracer {
    /// A tracer.
    public init() {}

    public func startSpan<Instant: TracerInstant>(
        _ operationName: String, context: @autoclosure () -> ServiceContext, ofKind kind: SpanKind,
        at instant: @autoclosure () -> Instant, function: String, file fileID: String, line: UInt
    ) -> W3CSpan {
        let base = context()
        return W3CSpan(base: base, trace: base.w3cTrace?.child() ?? .newTrace())
    }

    /// A span whose parent is `parent`, or the first of a new trace.
    func span(continuing parent: TraceContext?) -> W3CSpan {
        W3CSpan(base: nil, trace: parent?.child() ?? .newTrace())
    }

    public func forceFlush() {}

    public func extract<Carrier, Extract: Extractor>(
        _ carrier: Carrier, into context: inout ServiceContext, using extractor: Extract
    ) where Extract.Carrier == Carrier {
        guard let traceparent = extractor.extract(key: "traceparent", from: carrier),
            let trace = TraceContext(
                traceparent: traceparent, tracestate: extractor.extract(key: "tracestate", from: carrier))
        else { return }
        context.w3cTrace = trace
    }

    public func inject<Carrier, Inject: Injector>(
        _ context: ServiceContext, into carrier: inout Carrier, using injector: Inject
    ) where Inject.Carrier == Carrier {
        guard let trace = context.w3cTrace else { return }
        injector.inject(trace.traceparent, forKey: "traceparent", into: &carrier)
        if let state = trace.tracestate { injector.inject(state, forKey: "tracestate", into: &carrier) }
    }
}

/// A span of ``W3CTracer``: its trace context, and nothing recorded.
public struct W3CSpan: Tracing.Span {
    /// The context the span was started in (`nil`: the top level).
    private let base: ServiceContext?
    /// The span's trace context.
    public let trace: TraceContext

    init(base: ServiceContext?, trace: TraceContext) {
        self.base = base
        self.trace = trace
    }

    /// The context the span was started in, with the span's trace context: built when asked for (an
    /// invocation reads ``trace`` instead, and a service context costs several allocations to fill).
    public var context: ServiceContext {
        var context = base ?? .topLevel
        context.w3cTrace = trace
        return context
    }

    public var operationName: String {
        get { "" }
        nonmutating set {}
    }

    public var attributes: SpanAttributes {
        get { [:] }
        nonmutating set {}
    }

    public var isRecording: Bool { false }

    public func setStatus(_ status: SpanStatus) {}
    public func addEvent(_ event: SpanEvent) {}
    public func recordError<Instant: TracerInstant>(
        _ error: any Error, attributes: SpanAttributes, at instant: @autoclosure () -> Instant
    ) {}
    public func addLink(_ link: SpanLink) {}
    public func end<Instant: TracerInstant>(at instant: @autoclosure () -> Instant) {}
}

/// Where ``W3CTracer`` keeps a span's trace context in a service context.
private enum W3CTraceKey: ServiceContextKey {
    typealias Value = TraceContext
    static let nameOverride: String? = "w3c-trace-context"
}

extension ServiceContext {
    /// The W3C trace context ``W3CTracer`` put here.
    fileprivate var w3cTrace: TraceContext? {
        get { self[W3CTraceKey.self] }
        set { self[W3CTraceKey.self] = newValue }
    }
}
