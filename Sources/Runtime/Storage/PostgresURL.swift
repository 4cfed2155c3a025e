import Foundation
import NIOSSL
import PostgresNIO

/// A `DATABASE_URL` naming a PostgreSQL server: `postgres://user:password@host:port/database?sslmode=…`.
///
/// `sslmode` means what it means to libpq: `disable`; `prefer` (the default: TLS when the server offers it)
/// and `require` (TLS or nothing) encrypt without checking the server's certificate; `verify-ca` checks it
/// against the system's trusted roots and `verify-full` checks the host name too. The password is never
/// printed: ``description`` leaves it out.
public struct PostgresURL: Sendable, CustomStringConvertible {
    /// The server's host.
    public var host: String
    /// The server's port.
    public var port: Int
    /// The user to connect as.
    public var username: String
    /// The password, if the URL carries one.
    var password: String?
    /// The database.
    public var database: String
    /// How TLS is used.
    public var sslMode: String

    /// Reads `text`, or says in one line what is wrong with it.
    public init(_ text: String) throws {
        guard let components = URLComponents(string: text.trimmingCharacters(in: .whitespaces)),
            let scheme = components.scheme?.lowercased(), scheme == "postgres" || scheme == "postgresql",
            let host = components.host, !host.isEmpty
        else {
            throw PostgresURLError("DATABASE_URL must look like postgres://user:password@host:5432/database")
        }
        let database = String(components.path.drop { $0 == "/" })
        guard !database.isEmpty, !database.contains("/") else {
            throw PostgresURLError("DATABASE_URL must name a database: postgres://user@host:5432/<database>")
        }
        guard let username = components.user, !username.isEmpty else {
            throw PostgresURLError("DATABASE_URL must name a user: postgres://<user>@host:5432/database")
        }
        let sslMode = components.queryItems?.first { $0.name == "sslmode" }?.value ?? "prefer"
        guard ["disable", "prefer", "require", "verify-ca", "verify-full"].contains(sslMode) else {
            throw PostgresURLError("DATABASE_URL sslmode must be disable, prefer, require, verify-ca or verify-full")
        }
        self.host = host
        self.port = components.port ?? 5432
        self.username = username.removingPercentEncoding ?? username
        self.password = components.password.map { $0.removingPercentEncoding ?? $0 }
        self.database = database.removingPercentEncoding ?? database
        self.sslMode = sslMode
    }

    public var description: String {
        "postgres://\(username)@\(host):\(port)/\(database)"
    }

    /// A client configuration for this server, connecting to `database` (this URL's by default).
    func clientConfiguration(database: String? = nil) -> PostgresClient.Configuration {
        var encryptOnly = TLSConfiguration.makeClientConfiguration()
        encryptOnly.certificateVerification = .none
        var checkCA = TLSConfiguration.makeClientConfiguration()
        checkCA.certificateVerification = .noHostnameVerification
        let tls: PostgresClient.Configuration.TLS =
            switch sslMode {
            case "disable": .disable
            case "prefer": .prefer(encryptOnly)
            case "require": .require(encryptOnly)
            case "verify-ca": .require(checkCA)
            default: .require(.makeClientConfiguration())
            }
        return PostgresClient.Configuration(
            host: host, port: port, username: username, password: password, database: database ?? self.database,
            tls: tls)
    }
}

/// A `DATABASE_URL` that cannot be used, as one line.
public struct PostgresURLError: Error, CustomStringConvertible, Equatable {
    /// The line.
    public let description: String

    init(_ description: String) {
        self.description = description
    }
}
