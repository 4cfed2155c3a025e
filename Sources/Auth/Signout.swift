import FunctionKit

/// `auth-signout`: `POST /api/users/signout` clears the session cookie.
public struct Signout: HTTPFunction {
    /// Creates the function.
    public init() {}

    public func handle(_ request: HTTPRequest, context: FunctionContext) async throws -> HTTPResponse {
        try .json(200, [String: String](), cookies: [context.sessions.clearedCookie])
    }
}
