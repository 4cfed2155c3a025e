import FunctionKit

extension Invoker {
    /// Runs the HTTP function whose route matches `request`, as the gateway would, and returns its response;
    /// a request no route matches is answered 404. This is how one function (a page) calls the API of the
    /// others in the same process.
    public func route(_ request: HTTPRequest) async throws -> HTTPResponse {
        guard let (entry, route, parameters) = registry.route(method: request.method, path: request.rawPath) else {
            return FunctionError.notFound.response
        }
        var request = request
        request.pathParameters = parameters
        request.routeKey = route.routeKey
        request.requestContext.routeKey = route.routeKey
        return try await invoke(http: entry.name, request: request).response
    }
}
