import FunctionKit

/// `auth-currentuser`: `GET /api/users/currentuser` tells who is signed in; never 401.
public struct CurrentUser: HTTPFunction {
    /// Creates the function.
    public init() {}

    struct Body: Encodable {
        var currentUser: Session?

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(currentUser, forKey: .currentUser)
        }

        enum CodingKeys: String, CodingKey { case currentUser }
    }

    public func handle(_ request: HTTPRequest, context: FunctionContext) async throws -> HTTPResponse {
        try .json(200, Body(currentUser: context.session))
    }
}
