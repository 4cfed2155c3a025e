import CSQLiteSupport
import SQLiteNIO
import VaporCSQLite

/// A failed SQLite call: its result code and the library's message.
struct SQLiteFailure: Error, CustomStringConvertible, Sendable {
    /// The extended result code.
    var code: Int32
    /// What SQLite said.
    var message: String

    /// Whether another connection (another process on the same file) holds the lock asked for.
    var isBusy: Bool { code & 0xFF == SQLITE_BUSY || code & 0xFF == SQLITE_LOCKED }

    var description: String { "sqlite error \(code): \(message)" }
}

/// One connection to a SQLite file, called on the caller's thread: a statement is a few microseconds of
/// work, so it runs where the caller runs instead of hopping to a thread pool and back.
///
/// The handle is not safe to use from two tasks at once; its owner (``SQLiteServiceDatabase``) serializes
/// use through a lock. Prepared statements are kept by SQL text and reused; SQLKit writes the same text for
/// the same query, so after the first call a query is bound and stepped, not parsed.
final class SQLiteHandle: @unchecked Sendable {
    /// How many prepared statements are kept before the cache starts over.
    static let statementLimit = 256

    private var connection: OpaquePointer?
    /// Told the WAL's size after each commit, when ``checkpoint(with:)`` handed checkpoints to it.
    private var checkpointer: SQLiteCheckpointer?
    private var statements: [StatementText: OpaquePointer] = [:]
    /// The result columns each kept statement last had: read once, checked (not rebuilt) on each run.
    private var columns: [OpaquePointer: SQLiteResultRow.Columns] = [:]

    /// Opens `path` (creating it unless `readOnly`). Waiting for another process's lock is the caller's
    /// business (``SQLiteFailure/isBusy``), so a thread is never blocked inside SQLite.
    init(path: String, readOnly: Bool) throws {
        let flags =
            (readOnly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) | SQLITE_OPEN_NOMUTEX
            | SQLITE_OPEN_URI
        var handle: OpaquePointer?
        let result = sqlite_nio_sqlite3_open_v2(path, &handle, flags, nil)
        guard result == SQLITE_OK, let handle else {
            let message = handle.map { String(cString: sqlite_nio_sqlite3_errmsg($0)) } ?? "out of memory"
            sqlite_nio_sqlite3_close_v2(handle)
            throw SQLiteFailure(code: result, message: "cannot open \(path): \(message)")
        }
        sqlite_nio_sqlite3_extended_result_codes(handle, 1)
        // Plans that never depend on bound values: otherwise SQLite prepares some statements again on every
        // run (a bound value compared with an indexed column, the dispatcher's outbox read among them), which
        // cost more than all the rest of a delivery.
        let qpsg = ticketing_sqlite_enable_qpsg(UnsafeMutableRawPointer(handle))
        guard qpsg == SQLITE_OK else {
            sqlite_nio_sqlite3_close_v2(handle)
            throw SQLiteFailure(code: qpsg, message: "cannot configure \(path)")
        }
        connection = handle
    }

    /// Whether the connection's plans are independent of bound values (tests).
    var plansIgnoreBoundValues: Bool {
        connection.map { ticketing_sqlite_qpsg_enabled(UnsafeMutableRawPointer($0)) == 1 } ?? false
    }

    /// How many times `sql`'s kept statement has been prepared again since it was first prepared (tests).
    func reprepares(of sql: String) -> Int32 {
        statements[StatementText(sql)].map { sqlite_nio_sqlite3_stmt_status($0, SQLITE_STMTSTATUS_REPREPARE, 0) } ?? 0
    }

    deinit { close() }

    /// Whether no transaction is open (SQLite's autocommit mode).
    var isAutocommit: Bool { connection.map { sqlite_nio_sqlite3_get_autocommit($0) != 0 } ?? true }

    /// Runs `sql` with `binds`, calling `onRow` with each result row.
    func run(_ sql: String, binds: [SQLiteData] = [], onRow: (SQLiteResultRow) throws -> Void = { _ in }) throws {
        let statement = try prepared(sql)
        defer {
            sqlite_nio_sqlite3_reset(statement)
            sqlite_nio_sqlite3_clear_bindings(statement)
        }
        for (index, value) in binds.enumerated() {
            try check(bind(value, at: Int32(index + 1), in: statement))
        }
        var names: SQLiteResultRow.Columns?
        while true {
            let result = sqlite_nio_sqlite3_step(statement)
            if result == SQLITE_DONE { return }
            guard result == SQLITE_ROW else { throw failure(result) }
            let current = names ?? columns(of: statement)
            names = current
            try onRow(SQLiteResultRow(columns: current, statement: statement))
        }
    }

    /// `statement`'s result columns: those kept for it while they still match (SQLite prepares a statement
    /// again after a schema change, and `SELECT *` may then name other columns), else read anew.
    private func columns(of statement: OpaquePointer) -> SQLiteResultRow.Columns {
        if let kept = columns[statement], kept.describe(statement) { return kept }
        let read = SQLiteResultRow.Columns(statement: statement)
        columns[statement] = read
        return read
    }

    /// Hands this connection's checkpoints to `checkpointer`: after each commit SQLite tells it the WAL's size
    /// (in place of SQLite's automatic checkpoint, which would run inside the commit), and the commit
    /// checkpoints only when the checkpointer says so.
    func checkpoint(with checkpointer: SQLiteCheckpointer) {
        guard let connection else { return }
        self.checkpointer = checkpointer
        sqlite_nio_sqlite3_wal_hook(
            connection,
            { context, connection, name, frames in
                guard let context else { return SQLITE_OK }
                let checkpointer = Unmanaged<SQLiteCheckpointer>.fromOpaque(context).takeUnretainedValue()
                if checkpointer.walGrew(to: frames) {
                    sqlite_nio_sqlite3_wal_checkpoint_v2(connection, name, SQLITE_CHECKPOINT_PASSIVE, nil, nil)
                }
                return SQLITE_OK
            }, Unmanaged.passUnretained(checkpointer).toOpaque())
    }

    /// Runs a passive checkpoint of the database's WAL: as many committed pages as no reader still needs are
    /// copied back into the database file, without waiting for any lock. Whether it ran (not busy). As a
    /// statement, so that a connection that has read nothing yet learns first that the file is in WAL mode.
    func checkpointPassively() throws -> Bool {
        var busy = true
        try run("PRAGMA wal_checkpoint(PASSIVE)") { row in busy = try row.decode(column: "busy", as: Int.self) != 0 }
        return !busy
    }

    /// Closes the connection and every statement kept.
    func close() {
        for statement in statements.values { sqlite_nio_sqlite3_finalize(statement) }
        statements = [:]
        columns = [:]
        if let connection { sqlite_nio_sqlite3_close_v2(connection) }
        connection = nil
    }

    private func prepared(_ sql: String) throws -> OpaquePointer {
        let key = StatementText(sql)
        if let statement = statements[key] { return statement }
        guard let connection else { throw SQLiteFailure(code: SQLITE_MISUSE, message: "the connection is closed") }
        var statement: OpaquePointer?
        let result = sqlite_nio_sqlite3_prepare_v3(
            connection, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &statement, nil)
        guard result == SQLITE_OK, let statement else { throw failure(result) }
        if statements.count >= Self.statementLimit {
            for kept in statements.values { sqlite_nio_sqlite3_finalize(kept) }
            statements = [:]
            columns = [:]
        }
        statements[key] = statement
        return statement
    }

    private func bind(_ value: SQLiteData, at index: Int32, in statement: OpaquePointer) -> Int32 {
        switch value {
        case .integer(let integer):
            return sqlite_nio_sqlite3_bind_int64(statement, index, Int64(integer))
        case .float(let double):
            return sqlite_nio_sqlite3_bind_double(statement, index, double)
        case .text(let text):
            return text.withCString { characters in
                sqlite_nio_sqlite3_bind_text64(
                    statement, index, characters, UInt64(text.utf8.count), Self.transient, UInt8(SQLITE_UTF8))
            }
        case .blob(let buffer):
            return buffer.withUnsafeReadableBytes { bytes in
                sqlite_nio_sqlite3_bind_blob64(statement, index, bytes.baseAddress, UInt64(bytes.count), Self.transient)
            }
        case .null:
            return sqlite_nio_sqlite3_bind_null(statement, index)
        }
    }

    private func check(_ result: Int32) throws {
        guard result == SQLITE_OK else { throw failure(result) }
    }

    private func failure(_ result: Int32) -> SQLiteFailure {
        let message = connection.map { String(cString: sqlite_nio_sqlite3_errmsg($0)) } ?? "the connection is closed"
        return SQLiteFailure(code: result, message: message)
    }

    /// SQLite copies bound text and blobs before the call returns.
    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
}

/// A statement's text as the key of its prepared statement, hashed by its length and its last bytes rather
/// than all of it: statements are a few hundred bytes, looked up several times a request, and those that
/// share a tail still compare whole.
private struct StatementText: Hashable {
    let text: String

    init(_ text: String) {
        self.text = text
    }

    static func == (lhs: StatementText, rhs: StatementText) -> Bool {
        lhs.text == rhs.text
    }

    func hash(into hasher: inout Hasher) {
        let utf8 = text.utf8
        hasher.combine(utf8.count)
        let hashed: Bool? = utf8.withContiguousStorageIfAvailable { bytes in
            hasher.combine(bytes: UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: bytes.suffix(48))))
            return true
        }
        if hashed == nil { hasher.combine(text) }
    }
}
