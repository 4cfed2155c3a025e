import FunctionKit
import Logging
import SQLKit
import SQLiteKit

/// A service's database as one embedded SQLite file (`<data dir>/<service>.sqlite`), in WAL mode.
///
/// SQLite has one writer at a time, so the writing connection is used by one transaction at a time; waiting
/// happens on an ``AsyncLock``, not on a thread. Reads go through a second, read-only connection, which WAL
/// lets run beside a write, each seeing the last committed state. Other processes on the same file wait up
/// to five seconds (`busy_timeout`).
final class SQLiteServiceDatabase: ServiceDatabase {
    let service: String
    private let connection: SQLiteConnection
    private let readConnection: SQLiteConnection
    private let sql: any SQLDatabase
    private let readSQL: any SQLDatabase
    private let lock = AsyncLock()
    private let readLock = AsyncLock()

    private init(service: String, connection: SQLiteConnection, readConnection: SQLiteConnection) {
        self.service = service
        self.connection = connection
        self.readConnection = readConnection
        self.sql = connection.sql(queryLogLevel: .trace)
        self.readSQL = readConnection.sql(queryLogLevel: .trace)
    }

    static func open(service: String, path: String, logger: Logger) async throws -> SQLiteServiceDatabase {
        let connection = try await SQLiteConnection.open(storage: .file(path: path), logger: logger)
        for pragma in ["PRAGMA busy_timeout = 5000", "PRAGMA journal_mode = WAL", "PRAGMA synchronous = NORMAL"] {
            try await connection.sql().raw(SQLQueryString(pragma)).run()
        }
        let reader: SQLiteConnection
        do {
            reader = try await SQLiteConnection.open(storage: .file(path: path), logger: logger)
            for pragma in ["PRAGMA busy_timeout = 5000", "PRAGMA query_only = 1"] {
                try await reader.sql().raw(SQLQueryString(pragma)).run()
            }
        } catch {
            try? await connection.close()
            throw error
        }
        return SQLiteServiceDatabase(service: service, connection: connection, readConnection: reader)
    }

    /// Runs `body` in a transaction on the writing connection. The transaction runs to its end even when the
    /// calling task is cancelled (a handler abandoned at its timeout): the database driver refuses work for a
    /// cancelled task, so a `ROLLBACK` or `COMMIT` asked for there would never run and the connection would be
    /// left inside the transaction, failing every later one.
    func transaction<T: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        try await CancellationShield.run(body) { body in
            try await self.lock.withLock {
                try await self.sql.raw("BEGIN IMMEDIATE").run()
                do {
                    let value = try await body(self.sql)
                    try await self.sql.raw("COMMIT").run()
                    return value
                } catch {
                    try? await self.sql.raw("ROLLBACK").run()
                    throw error
                }
            }
        }
    }

    func read<T: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        try await readLock.withLock { try await body(readSQL) }
    }

    func close() async {
        try? await readConnection.close()
        try? await connection.close()
    }
}
