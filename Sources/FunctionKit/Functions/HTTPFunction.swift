/// A function triggered by an HTTP route: API Gateway v2 request in, v2 response out.
public protocol HTTPFunction: Sendable {
    /// Handles one request. Throw ``FunctionError`` to answer with a documented error.
    func handle(_ request: HTTPRequest, context: FunctionContext) async throws -> HTTPResponse
}
