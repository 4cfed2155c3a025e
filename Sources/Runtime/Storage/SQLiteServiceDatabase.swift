import FunctionKit
import Logging
import SQLKit
import VaporCSQLite

/// A service's database as one embedded SQLite file (`<data dir>/<service>.sqlite`), in WAL mode.
///
/// Statements run on the calling thread (``SQLiteHandle``): a point read or a small write is microseconds
/// of work, less than a hop to a thread pool would cost. SQLite has one writer at a time, so the writing
/// connection is used by one transaction at a time; waiting happens on an ``AsyncLock``, not on a thread.
/// Reads go through read-only connections (``SQLiteReaders``), which WAL lets run beside the write. Other
/// processes on the same file are waited for up to five seconds (``SQLiteBusyWait``) without blocking a
/// thread. Checkpoints, which copy the WAL back into the database file, run on a thread of their own
/// (``SQLiteCheckpointer``), not inside a commit.
final class SQLiteServiceDatabase: ServiceDatabase {
    /// How many readers may read one file at once.
    static let readerCount = 2

    let service: String
    private let writer: SQLiteHandle
    private let readers: SQLiteReaders
    private let checkpointer: SQLiteCheckpointer
    private let logger: Logger
    private let lock = AsyncLock()
    private let group = GroupCommit()

    private init(
        service: String, writer: SQLiteHandle, readers: SQLiteReaders, checkpointer: SQLiteCheckpointer,
        logger: Logger
    ) {
        self.service = service
        self.writer = writer
        self.readers = readers
        self.checkpointer = checkpointer
        self.logger = logger
    }

    /// A database dropped without ``close()`` (a test's, say) still ends its checkpoint thread.
    deinit { checkpointer.stop() }

    static func open(service: String, path: String, logger: Logger) async throws -> SQLiteServiceDatabase {
        let writer = try SQLiteHandle(path: path, readOnly: false)
        for pragma in ["PRAGMA journal_mode = WAL", "PRAGMA synchronous = NORMAL"] {
            try await SQLiteBusyWait.run(writer) { try writer.run(pragma) }
        }
        let checkpointer = SQLiteCheckpointer(path: path)
        writer.checkpoint(with: checkpointer)
        let readers = SQLiteReaders(limit: readerCount) {
            let reader = try SQLiteHandle(path: path, readOnly: true)
            try reader.run("PRAGMA query_only = 1")
            return reader
        }
        return SQLiteServiceDatabase(
            service: service, writer: writer, readers: readers, checkpointer: checkpointer, logger: logger)
    }

    /// Runs `body` in a transaction on the writing connection, committed with the others waiting for the
    /// writer at the same moment (``GroupCommit``): `body` runs in a savepoint of its own and the call
    /// returns once the group's `COMMIT` has succeeded. The transaction runs to its end even when the calling
    /// task is cancelled (a handler abandoned at its timeout): statements here never look at cancellation,
    /// so the `COMMIT` or `ROLLBACK` always runs and the connection is never left inside the transaction.
    func transaction<T: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        let kept = TransactionValue<T>()
        let result = await withoutActuallyEscaping(body) { body in
            let member = GroupCommit.Member { session in kept.value = try await body(session) }
            return await group.run(member) { [self] members in await commit(members) }
        }
        try result.get()
        guard let value = kept.value else {
            throw SQLiteFailure(code: SQLITE_MISUSE, message: "a committed transaction left no value")
        }
        return value
    }

    /// Runs `members`' bodies in one transaction, each in a savepoint, and commits them together; a member
    /// whose body throws is rolled back alone. When SQLite itself ends the transaction (a failure that rolls
    /// everything back), the members run in it so far fail with it and the rest start a new one.
    private func commit(_ members: [GroupCommit.Member]) async {
        let writer = self.writer
        let session = SQLiteSession(handle: writer, logger: logger)
        await lock.withLockNotThrowing {
            var pending = members[...]
            while !pending.isEmpty {
                do {
                    try await SQLiteBusyWait.run(writer) { try writer.run("BEGIN IMMEDIATE") }
                } catch {
                    for member in pending { GroupCommit.finish(member, .failure(error)) }
                    return
                }
                var succeeded: [GroupCommit.Member] = []
                var closed = false
                while !closed, let member = pending.popFirst() {
                    guard
                        let failure = await GroupCommit.runBody(
                            of: member, in: session, handle: writer, savepoint: "member")
                    else {
                        succeeded.append(member)
                        continue
                    }
                    GroupCommit.finish(member, .failure(failure))
                    if writer.isAutocommit {
                        for earlier in succeeded { GroupCommit.finish(earlier, .failure(failure)) }
                        succeeded = []
                        closed = true
                    }
                }
                if closed { continue }
                do {
                    try writer.run("COMMIT")
                    for member in succeeded { GroupCommit.finish(member, .success(())) }
                } catch {
                    if !writer.isAutocommit { try? writer.run("ROLLBACK") }
                    for member in succeeded { GroupCommit.finish(member, .failure(error)) }
                }
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
            checkpointer.stop()
            readers.close()
            writer.close()
        }
    }
}
