import FunctionKit
import Logging
import SQLKit

/// A service's database as one embedded SQLite file (`<data dir>/<service>.sqlite`), in WAL mode.
///
/// Statements run on the calling thread (``SQLiteHandle``): a point read or a small write is microseconds
/// of work, less than a hop to a thread pool would cost. SQLite has one writer at a time, so the writing
/// connection is used by one transaction at a time; waiting happens on an ``AsyncLock``, not on a thread.
/// Reads go through read-only connections (``SQLiteReaders``), which WAL lets run beside the write. Other
/// processes on the same file are waited for up to five seconds (``SQLiteBusyWait``) without blocking a
/// thread.
final class SQLiteServiceDatabase: ServiceDatabase {
    /// How many readers may read one file at once.
    static let readerCount = 2

    let service: String
    private let writer: SQLiteHandle
    private let readers: SQLiteReaders
    private let logger: Logger
    private let lock = AsyncLock()

    private init(service: String, writer: SQLiteHandle, readers: SQLiteReaders, logger: Logger) {
        self.service = service
        self.writer = writer
        self.readers = readers
        self.logger = logger
    }

    static func open(service: String, path: String, logger: Logger) async throws -> SQLiteServiceDatabase {
        let writer = try SQLiteHandle(path: path, readOnly: false)
        for pragma in ["PRAGMA journal_mode = WAL", "PRAGMA synchronous = NORMAL"] {
            try await SQLiteBusyWait.run(writer) { try writer.run(pragma) }
        }
        let readers = SQLiteReaders(limit: readerCount) {
            let reader = try SQLiteHandle(path: path, readOnly: true)
            try reader.run("PRAGMA query_only = 1")
            return reader
        }
        return SQLiteServiceDatabase(service: service, writer: writer, readers: readers, logger: logger)
    }

    /// Runs `body` in a transaction on the writing connection. The transaction runs to its end even when the
    /// calling task is cancelled (a handler abandoned at its timeout): statements here never look at
    /// cancellation, so the `COMMIT` or `ROLLBACK` always runs and the connection is never left inside the
    /// transaction.
    func transaction<T: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        let writer = self.writer
        let session = SQLiteSession(handle: writer, logger: logger)
        return try await lock.withLock {
            try await SQLiteBusyWait.run(writer) { try writer.run("BEGIN IMMEDIATE") }
            do {
                let value = try await body(session)
                try writer.run("COMMIT")
                return value
            } catch {
                if !writer.isAutocommit { try? writer.run("ROLLBACK") }
                throw error
            }
        }
    }

    func read<T: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        let logger = self.logger
        return try await readers.withReader { handle in
            try await body(SQLiteSession(handle: handle, logger: logger))
        }
    }

    func close() async {
        try? await lock.withLock {
            readers.close()
            writer.close()
        }
    }
}
