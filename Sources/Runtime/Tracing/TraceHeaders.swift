import Tracing

/// Reads and writes trace headers in a dictionary whose names are lower-case, as ``FunctionKit/HTTPRequest``
/// keeps them: the carrier trace context crosses process boundaries in.
struct TraceHeaders: Extractor, Injector {
    func extract(key: String, from carrier: [String: String]) -> String? {
        carrier[key.lowercased()]
    }

    func inject(_ value: String, forKey key: String, into carrier: inout [String: String]) {
        carrier[key.lowercased()] = value
    }
}
