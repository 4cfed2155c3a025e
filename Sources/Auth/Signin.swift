import FunctionKit

/// `auth-signin`: `POST /api/users/signin` checks credentials and signs the user in.
public struct Signin: HTTPFunction {
    let passwords: PasswordHasher

    /// Creates the function checking with `passwords`.
    public init(passwords: PasswordHasher) {
        self.passwords = passwords
    }

    public func handle(_ request: HTTPRequest, context: FunctionContext) async throws -> HTTPResponse {
        let credentials = try Credentials(from: request, strictPassword: false)
        let user = try await context.read { try await Users.find(email: credentials.email, in: $0) }
        guard let user else {
            await passwords.verifyNothing(credentials.password)
            throw FunctionError.badRequest("Invalid credentials")
        }
        guard await passwords.verify(credentials.password, against: user.passwordHash) else {
            throw FunctionError.badRequest("Invalid credentials")
        }
        let (token, _) = try await context.sessions.issue(userID: user.id, email: user.email, now: context.now)
        return try .json(200, UserBody(id: user.id, email: user.email), cookies: [context.sessions.cookie(for: token)])
    }
}
