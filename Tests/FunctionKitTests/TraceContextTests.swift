import FunctionKit
import Testing

@Suite struct TraceContextTests {
    @Test func aTraceparentIsReadAndWrittenBack() throws {
        let trace = try #require(
            TraceContext(
                traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
                tracestate: "rojo=00f067aa0ba902b7"))
        #expect(trace.traceID == "4bf92f3577b34da6a3ce929d0e0e4736")
        #expect(trace.spanID == "00f067aa0ba902b7")
        #expect(trace.flags == "01")
        #expect(trace.tracestate == "rojo=00f067aa0ba902b7")
        #expect(trace.traceparent == "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
    }

    @Test(arguments: [
        "",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7",  // no flags
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-",  // version 00 is exactly 55 characters
        "00-00000000000000000000000000000000-00f067aa0ba902b7-01",  // all-zero trace id
        "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",  // all-zero span id
        "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",  // upper case
        "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",  // version ff
        "00_4bf92f3577b34da6a3ce929d0e0e4736_00f067aa0ba902b7_01",
        "00-4bf92f3577b34da6a3ce929d0e0e473g-00f067aa0ba902b7-01",
    ])
    func aMalformedTraceparentIsNone(text: String) {
        #expect(TraceContext(traceparent: text) == nil)
    }

    @Test func aLaterVersionIsReadByItsFirstFourFields() throws {
        let trace = try #require(
            TraceContext(traceparent: "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-what-comes-next"))
        #expect(trace.traceparent == "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
        #expect(TraceContext(traceparent: "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01x") == nil)
    }

    @Test func aChildKeepsTheTraceFlagsAndStateWithASpanOfItsOwn() throws {
        let parent = TraceContext(
            traceID: "4bf92f3577b34da6a3ce929d0e0e4736", spanID: "00f067aa0ba902b7", flags: "00", tracestate: "a=1")
        let child = parent.child()
        #expect(child.traceID == parent.traceID && child.flags == "00" && child.tracestate == "a=1")
        #expect(child.spanID != parent.spanID)
        #expect(TraceContext(traceparent: child.traceparent) != nil)
    }

    @Test func aNewTraceIsWellFormedAndSampled() {
        let traces = (0..<100).map { _ in TraceContext.newTrace() }
        #expect(traces.allSatisfy { TraceContext(traceparent: $0.traceparent) == $0 && $0.flags == "01" })
        #expect(Set(traces.map(\.traceID)).count == 100)
    }
}
