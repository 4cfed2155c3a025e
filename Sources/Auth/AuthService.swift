import Foundation
import FunctionKit

/// The auth service: accounts and sessions.
public enum AuthService {
    /// The service's name and database.
    public static let name = "auth"

    /// The service with its functions, hashing passwords with `passwords`.
    public static func definition(passwords: PasswordHasher = PasswordHasher()) -> ServiceDefinition {
        ServiceDefinition(
            name: name,
            migrations: Users.migrations,
            functions: [
                FunctionDefinition("auth-signup", http: Signup(passwords: passwords)),
                FunctionDefinition("auth-signin", http: Signin(passwords: passwords)),
                FunctionDefinition("auth-signout", http: Signout()),
                FunctionDefinition("auth-currentuser", http: CurrentUser()),
            ])
    }
}

extension AuthService {
    /// The id of the account registered with `email` (trimmed, any case), or `nil`. For tooling that signs
    /// sample events in as a user.
    public static func userID(forEmail email: String, in database: any ServiceDatabase) async throws -> String? {
        let normalized = email.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
        return try await database.read { try await Users.find(email: normalized, in: $0)?.id }
    }
}
