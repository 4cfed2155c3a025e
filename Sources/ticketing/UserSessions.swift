import Auth
import Crypto
import Foundation
import FunctionKit
import Runtime

/// Mints session tokens for a user by e-mail, so sample events can be signed in.
enum UserSessions {
    /// A bearer token for `email`: the account's id when it exists in the data directory, otherwise an id
    /// derived from the address (the same every time).
    static func token(for email: String, project: LocalProject) async throws -> String {
        let database = try await project.invoker.database(for: AuthService.name)
        let normalized = email.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
        let id = try await AuthService.userID(forEmail: normalized, in: database) ?? derivedID(for: normalized)
        return try await project.invoker.sessions.issue(userID: id, email: normalized, now: project.invoker.clock.now)
            .token
    }

    /// The one line `--user` gets on a function that is not HTTP: a CloudEvent carries no session.
    static func eventFunctionRefusal(_ function: String) -> String {
        "--user signs an HTTP event in, and \(function) is an event function (a CloudEvent carries no session)"
    }

    /// A UUID-shaped id derived from an e-mail address.
    static func derivedID(for email: String) -> String {
        let digest = Array(SHA256.hash(data: Data("ticketing-user:\(email)".utf8)))
        let hex = digest.prefix(16).map { String(format: "%02x", $0) }.joined()
        let characters = Array(hex)
        return [0..<8, 8..<12, 12..<16, 16..<20, 20..<32].map { String(characters[$0]) }.joined(separator: "-")
    }
}
