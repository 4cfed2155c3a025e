import Foundation
import Logging
import Runtime

/// Where a test harness keeps its data: SQLite files in its directory, or — when
/// `TICKETING_TEST_DATABASE_URL` names a PostgreSQL server — a throwaway database named after that directory,
/// so the same tests run on both engines and a restart on the same directory finds the same data.
public enum TestStorage {
    /// The PostgreSQL server the tests use, if any.
    public static var postgres: PostgresURL? {
        guard let text = ProcessInfo.processInfo.environment["TICKETING_TEST_DATABASE_URL"], !text.isEmpty else {
            return nil
        }
        return try? PostgresURL(text)
    }

    /// The engine for a harness whose data directory is `directory`.
    static func engine(directory: URL, logger: Logger) async throws -> any StorageEngine {
        guard var url = postgres else { return try SQLiteEngine(directory: directory, logger: logger) }
        let name = databaseName(directory)
        try await PostgresEngine.createDatabase(name, on: url, logger: logger)
        url.database = name
        return PostgresEngine(url: url, logger: logger, connectionsPerService: 2, coordinationConnections: 16)
    }

    /// Drops the PostgreSQL database of `directory`, if the tests run on PostgreSQL.
    static func remove(directory: URL) async {
        guard let url = postgres else { return }
        try? await PostgresEngine.dropDatabase(databaseName(directory), on: url, logger: Logger(label: "test"))
    }

    /// A database name for `directory`: its last component, lower-cased, letters, digits and `_` only.
    public static func databaseName(_ directory: URL) -> String {
        let name = directory.lastPathComponent.lowercased().map { $0.isLetter || $0.isNumber ? $0 : "_" }
        return String(String(name).prefix(60))
    }
}
