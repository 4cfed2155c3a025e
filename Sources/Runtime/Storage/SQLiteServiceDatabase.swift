import FunctionKit
import Logging
import SQLKit
import SQLiteKit

/// A service's database as one embedded SQLite file (`<data dir>/<service>.sqlite`), in WAL mode.
///
/// SQLite has one writer at a time, so the connection is used by one transaction at a time; waiting
/// happens on an ``AsyncLock``, not on a thread. Other processes on the same file wait up to five seconds
/// (`busy_timeout`).
final class SQLiteServiceDatabase: ServiceDatabase {
    let service: String
    private let connection: SQLiteConnection
    private let sql: any SQLDatabase
    private let lock = AsyncLock()

    private init(service: String, connection: SQLiteConnection) {
        self.service = service
        self.connection = connection
        self.sql = connection.sql(queryLogLevel: .trace)
    }

    static func open(service: String, path: String, logger: Logger) async throws -> SQLiteServiceDatabase {
        let connection = try await SQLiteConnection.open(storage: .file(path: path), logger: logger)
        let database = SQLiteServiceDatabase(service: service, connection: connection)
        for pragma in ["PRAGMA busy_timeout = 5000", "PRAGMA journal_mode = WAL", "PRAGMA synchronous = NORMAL"] {
            try await database.sql.raw(SQLQueryString(pragma)).run()
        }
        return database
    }

    func transaction<T: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        try await lock.withLock {
            try await sql.raw("BEGIN IMMEDIATE").run()
            do {
                let value = try await body(sql)
                try await sql.raw("COMMIT").run()
                return value
            } catch {
                try? await sql.raw("ROLLBACK").run()
                throw error
            }
        }
    }

    func read<T: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        try await lock.withLock { try await body(sql) }
    }

    func close() async {
        try? await connection.close()
    }
}
