import FunctionKit
import Testing
import Tracing

@testable import Runtime

/// W3C trace context as the runtime reads and passes it: X-Ray's header, the tracer's carriers, a request's
/// headers, and binary-mode CloudEvents.
@Suite struct TracePropagationTests {
    @Test func anXRayHeaderIsReadAsTheSameTrace() throws {
        let trace = try #require(
            AmazonTraceHeader.trace(from: "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1"))
        #expect(trace.traceparent == "00-5759e988bd862e3fe1be46a994272793-53995c3f42cd8ad8-01")
        let unsampled = try #require(
            AmazonTraceHeader.trace(from: "Root=1-5759e988-bd862e3fe1be46a994272793; Sampled=0; Lineage=a:1"))
        #expect(unsampled.traceID == "5759e988bd862e3fe1be46a994272793" && unsampled.flags == "00")
        #expect(unsampled.spanID.count == 16, "without a Parent the context gets a span id of its own")
        #expect(AmazonTraceHeader.trace(from: "Parent=53995c3f42cd8ad8") == nil)
        #expect(AmazonTraceHeader.trace(from: "Root=2-5759e988-bd862e3fe1be46a994272793") == nil)
        #expect(AmazonTraceHeader.trace(from: "Root=1-5759e988-bd862e3f") == nil)
    }

    @Test func aRequestContinuesItsTraceparentElseItsXRayHeader() {
        let both = HTTPRequest(
            method: "GET", path: "/",
            headers: [
                "Traceparent": "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", "tracestate": "a=1",
                "X-Amzn-Trace-Id": "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1",
            ])
        #expect(Invoker.trace(of: both)?.traceID == "4bf92f3577b34da6a3ce929d0e0e4736")
        #expect(Invoker.trace(of: both)?.tracestate == "a=1")
        let xray = HTTPRequest(
            method: "GET", path: "/",
            headers: [
                "traceparent": "not one",
                "X-Amzn-Trace-Id": "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1",
            ])
        #expect(Invoker.trace(of: xray)?.traceID == "5759e988bd862e3fe1be46a994272793")
        #expect(Invoker.trace(of: HTTPRequest(method: "GET", path: "/")) == nil)
    }

    /// The propagating tracer's spans go through swift-distributed-tracing's carriers as W3C headers.
    @Test func theW3CTracerExtractsAndInjectsTraceparent() throws {
        let tracer = W3CTracer()
        var context = ServiceContext.topLevel
        tracer.extract(
            ["traceparent": "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", "tracestate": "a=1"],
            into: &context, using: TraceHeaders())
        let span = tracer.startSpan("tickets-show", context: context, ofKind: .server)
        var carrier: [String: String] = [:]
        tracer.inject(span.context, into: &carrier, using: TraceHeaders())
        let injected = try #require(carrier["traceparent"].flatMap { TraceContext(traceparent: $0) })
        #expect(injected.traceID == "4bf92f3577b34da6a3ce929d0e0e4736")
        #expect(injected.spanID != "00f067aa0ba902b7" && injected == span.trace.withoutState)
        #expect(carrier["tracestate"] == "a=1")
        // Through the generic path (any other tracer) and the shortcut, the same trace.
        let started = InvocationTracer.propagating.start("x", kind: .server, parent: injected)
        #expect(started.trace.traceID == injected.traceID && started.trace.spanID != injected.spanID)
        #expect(InvocationTracer.propagating.start("y", kind: .server, parent: nil).trace.traceID.count == 32)
    }

    @Test func aBinaryModeEventKeepsItsTraceContext() throws {
        let (event, _) = try CloudEventRequest.decode(
            headers: [
                "content-type": "application/json", "ce-specversion": "1.0", "ce-id": "e-1", "ce-source": "/s",
                "ce-type": "ticket:created",
                "ce-traceparent": "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
                "ce-tracestate": "a=1",
            ], body: Array("{}".utf8))
        #expect(event.trace?.traceID == "4bf92f3577b34da6a3ce929d0e0e4736")
        #expect(event.tracestate == "a=1")
        let sent = RemoteFunctions.headers(
            of: event, trace: TraceContext(traceID: "4bf92f3577b34da6a3ce929d0e0e4736", spanID: "1111111111111111"))
        #expect(sent["ce-traceparent"] == "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
        #expect(sent["traceparent"] == "00-4bf92f3577b34da6a3ce929d0e0e4736-1111111111111111-01")
    }
}

extension TraceContext {
    fileprivate var withoutState: TraceContext {
        TraceContext(traceID: traceID, spanID: spanID, flags: flags)
    }
}
