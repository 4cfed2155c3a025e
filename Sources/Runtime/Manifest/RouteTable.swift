/// The HTTP routes of a registry grouped by method, so that a request's path is split once and compared
/// only with the routes of its method and segment count, in manifest order.
struct RouteTable: Sendable {
    private struct Candidate: Sendable {
        var entry: FunctionRegistry.Entry
        var route: Route
    }

    /// Candidates by method, then by segment count, each list in manifest order.
    private let routes: [String: [Int: [Candidate]]]

    /// The table of `entries`' HTTP routes.
    init(_ entries: [FunctionRegistry.Entry]) {
        var routes: [String: [Int: [Candidate]]] = [:]
        for entry in entries {
            guard case .http(let route) = entry.declaration.trigger else { continue }
            routes[route.method, default: [:]][route.segments.count, default: []].append(
                Candidate(entry: entry, route: route))
        }
        self.routes = routes
    }

    /// The first route, in manifest order, matching `method` and `path`, with the path's parameters.
    func match(method: String, path: String) -> (
        entry: FunctionRegistry.Entry, route: Route, parameters: [String: String]
    )? {
        guard let bySize = routes[method] ?? routes[method.uppercased()] else { return nil }
        let pieces = Route.pieces(of: path)
        guard let candidates = bySize[pieces.count] else { return nil }
        for candidate in candidates {
            if let parameters = candidate.route.match(pieces: pieces) {
                return (candidate.entry, candidate.route, parameters)
            }
        }
        return nil
    }
}
