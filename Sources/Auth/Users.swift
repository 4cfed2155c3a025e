import FunctionKit
import SQLKit

/// The auth service's `users` table: one row per account, emails unique.
enum Users {
    static let table = "users"

    static let migrations: [Migration] = [
        Migration("001-create-users") { sql in
            try await sql.create(table: table)
                .column("id", type: .text, .primaryKey(autoIncrement: false))
                .column("email", type: .text, .notNull, .unique)
                .column("password_hash", type: .text, .notNull)
                .column("created_at", type: .bigint, .notNull)
                .run()
        }
    ]

    /// A user as stored.
    struct Row: Sendable {
        var id: String
        var email: String
        var passwordHash: String
    }

    static func find(email: String, in sql: any SQLDatabase) async throws -> Row? {
        guard
            let row = try await sql.select().columns("id", "email", "password_hash").from(table)
                .where("email", .equal, email).first()
        else { return nil }
        return Row(
            id: try row.decode(column: "id", as: String.self), email: try row.decode(column: "email", as: String.self),
            passwordHash: try row.decode(column: "password_hash", as: String.self))
    }
}

/// The body of sign-up and sign-in answers: `{id, email}`.
struct UserBody: Codable, Sendable {
    var id: String
    var email: String
}
