import Foundation
import FunctionKit
import SQLKit

/// `auth-signup`: `POST /api/users/signup` creates an account and signs it in.
public struct Signup: HTTPFunction {
    let passwords: PasswordHasher

    /// Creates the function hashing with `passwords`.
    public init(passwords: PasswordHasher) {
        self.passwords = passwords
    }

    public func handle(_ request: HTTPRequest, context: FunctionContext) async throws -> HTTPResponse {
        let credentials = try Credentials(from: request, strictPassword: true)
        if try await context.read({ try await Users.find(email: credentials.email, in: $0) }) != nil {
            throw FunctionError.badRequest("Email in use")
        }
        let hash = try await passwords.hash(credentials.password)
        let id = UUID.random().lowercasedString
        let inserted = try await context.transaction { transaction in
            try await transaction.sql.insert(into: Users.table)
                .columns("id", "email", "password_hash", "created_at")
                .values(
                    SQLBind(id), SQLBind(credentials.email), SQLBind(hash), SQLBind(transaction.now.epochMilliseconds)
                )
                .ignoringConflicts(with: ["email"])
                .returning("id")
                .all()
                .count
        }
        guard inserted == 1 else { throw FunctionError.badRequest("Email in use") }
        let (token, _) = try await context.sessions.issue(userID: id, email: credentials.email, now: context.now)
        return try .json(
            201, UserBody(id: id, email: credentials.email), cookies: [context.sessions.cookie(for: token)])
    }
}
