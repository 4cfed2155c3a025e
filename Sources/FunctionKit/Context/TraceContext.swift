/// An invocation's place in a distributed trace, as W3C Trace Context carries it: a `traceparent` (version,
/// 16-byte trace id, 8-byte id of the span that is the parent of whatever continues it, flags) and an optional
/// vendor `tracestate`. Events an invocation publishes and timers it sets carry its trace context, so the
/// invocations they cause continue the same trace.
public struct TraceContext: Sendable, Equatable, CustomStringConvertible {
    /// The trace id: 32 lower-case hex digits, not all zero.
    public let traceID: String
    /// The span id: 16 lower-case hex digits, not all zero.
    public let spanID: String
    /// The trace flags: 2 hex digits (`01`: sampled).
    public let flags: String
    /// The vendors' `tracestate`, passed on as it came.
    public let tracestate: String?

    /// The context with these parts (not checked: use ``init(traceparent:tracestate:)`` for input).
    public init(traceID: String, spanID: String, flags: String = "01", tracestate: String? = nil) {
        self.traceID = traceID
        self.spanID = spanID
        self.flags = flags
        self.tracestate = tracestate
    }

    /// Parses a `traceparent` header (W3C Trace Context level 1): `nil` when it is malformed, has an all-zero id
    /// or is of version `ff`. A later version's value is read by its first four fields, as the specification
    /// asks. An empty `tracestate` counts as none.
    public init?(traceparent: String, tracestate: String? = nil) {
        let bytes = Array(traceparent.utf8)
        guard bytes.count >= 55, bytes[2] == UInt8(ascii: "-"), bytes[35] == UInt8(ascii: "-"),
            bytes[52] == UInt8(ascii: "-"), bytes.count == 55 || bytes[55] == UInt8(ascii: "-"),
            Self.isHex(bytes[0..<2]), Self.isHex(bytes[3..<35]), Self.isHex(bytes[36..<52]),
            Self.isHex(bytes[53..<55]), !(bytes[0] == UInt8(ascii: "f") && bytes[1] == UInt8(ascii: "f")),
            bytes[3..<35].contains(where: { $0 != UInt8(ascii: "0") }),
            bytes[36..<52].contains(where: { $0 != UInt8(ascii: "0") })
        else { return nil }
        // Version 00 is exactly 55 characters.
        if bytes[0] == UInt8(ascii: "0"), bytes[1] == UInt8(ascii: "0"), bytes.count != 55 { return nil }
        traceID = String(decoding: bytes[3..<35], as: UTF8.self)
        spanID = String(decoding: bytes[36..<52], as: UTF8.self)
        flags = String(decoding: bytes[53..<55], as: UTF8.self)
        self.tracestate = tracestate.flatMap { $0.isEmpty ? nil : $0 }
    }

    /// The `traceparent` header of this context (version 00).
    public var traceparent: String { "00-\(traceID)-\(spanID)-\(flags)" }

    public var description: String { traceparent }

    /// A new trace, sampled, whose first span is this context's.
    public static func newTrace() -> TraceContext {
        TraceContext(traceID: RandomPool.shared.hex(bytes: 16), spanID: RandomPool.shared.hex(bytes: 8))
    }

    /// A span of the same trace whose parent is this context's span: a new span id, the same flags and state.
    public func child() -> TraceContext {
        TraceContext(traceID: traceID, spanID: RandomPool.shared.hex(bytes: 8), flags: flags, tracestate: tracestate)
    }

    private static func isHex(_ bytes: ArraySlice<UInt8>) -> Bool {
        bytes.allSatisfy { (48...57).contains($0) || (97...102).contains($0) }
    }
}
