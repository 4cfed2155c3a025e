/// A function triggered by an HTTP route: API Gateway v2 request in, v2 response out.
public protocol HTTPFunction: Sendable {
    /// Handles one request. Throw ``FunctionError`` to answer with a documented error.
    func handle(_ request: HTTPRequest, context: FunctionContext) async throws -> HTTPResponse
}

/// An HTTP function that answers browsers with HTML pages and redirects rather than the JSON API: it has no
/// JSON response schema and is left out of the OpenAPI document.
public protocol HTMLFunction: HTTPFunction {}

extension FunctionHandler {
    /// Whether the handler is an ``HTMLFunction``.
    public var answersHTML: Bool {
        if case .http(let function) = self { function is any HTMLFunction } else { false }
    }
}
