import Foundation
import Logging

/// Picks the storage engine from the environment (SPEC §10): `DATABASE_URL=postgres://…` runs every service
/// on PostgreSQL, a schema each; otherwise each service is an SQLite file under the data directory.
public enum StorageSelection {
    /// The engine the environment asks for.
    ///
    /// - Throws: ``PostgresURLError`` when `DATABASE_URL` is set but unusable, as one line.
    public static func engine(
        environment: [String: String], dataDirectory: URL, logger: Logger, metrics: RuntimeMetrics? = nil
    ) throws -> any StorageEngine {
        if let text = environment["DATABASE_URL"]?.trimmingCharacters(in: .whitespaces), !text.isEmpty {
            return PostgresEngine(url: try PostgresURL(text), logger: logger, metrics: metrics)
        }
        return try SQLiteEngine(directory: dataDirectory, logger: logger)
    }
}

extension PostgresEngine {
    /// Creates database `name` on `url`'s server unless it exists (for throwaway test databases).
    public static func createDatabase(_ name: String, on url: PostgresURL, logger: Logger) async throws {
        try await administer(url, logger: logger) { sql in
            let exists = try await sql.raw("SELECT 1 AS found FROM pg_database WHERE datname = \(bind: name)").all()
            guard exists.isEmpty else { return }
            try await sql.raw("CREATE DATABASE \(unsafeRaw: quoted(name))").run()
        }
    }

    /// Drops database `name` on `url`'s server, closing whatever is still connected to it.
    public static func dropDatabase(_ name: String, on url: PostgresURL, logger: Logger) async throws {
        try await administer(url, logger: logger) { sql in
            try await sql.raw("DROP DATABASE IF EXISTS \(unsafeRaw: quoted(name)) WITH (FORCE)").run()
        }
    }
}
