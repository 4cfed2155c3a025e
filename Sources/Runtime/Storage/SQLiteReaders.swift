import Synchronization
import VaporCSQLite

/// Read-only connections to one SQLite file, each lent to one reader at a time and opened when first
/// needed (a process that only writes, or reads once, opens one or none). WAL lets them read beside the
/// writer and beside each other, each seeing the last committed state.
final class SQLiteReaders: Sendable {
    private struct State {
        var free: [SQLiteHandle] = []
        var all: [SQLiteHandle] = []
        /// Connections opened or being opened.
        var opened = 0
        var closed = false
        var waiters: [CheckedContinuation<SQLiteHandle, any Error>] = []
    }

    private let state = Mutex(State())
    private let limit: Int
    private let open: @Sendable () throws -> SQLiteHandle

    /// Lends out up to `limit` connections made by `open`.
    init(limit: Int, open: @escaping @Sendable () throws -> SQLiteHandle) {
        self.limit = limit
        self.open = open
    }

    /// Runs `body` with a free connection, opening one or waiting for one when all are lent.
    func withReader<T>(_ body: (SQLiteHandle) async throws -> T) async throws -> T {
        let handle = try await borrow()
        defer { giveBack(handle) }
        return try await body(handle)
    }

    /// Closes every connection; only once no reader runs.
    func close() {
        let handles = state.withLock { state in
            state.closed = true
            defer { state.all = [] }
            return state.all
        }
        for handle in handles { handle.close() }
    }

    private enum Next {
        case lend(SQLiteHandle)
        case open
        case closed
    }

    private func borrow() async throws -> SQLiteHandle {
        let next = state.withLock { state -> Next? in
            if state.closed { return .closed }
            if let handle = state.free.popLast() { return .lend(handle) }
            guard state.opened < limit else { return nil }
            state.opened += 1
            return .open
        }
        switch next {
        case .lend(let handle): return handle
        case .closed: throw SQLiteFailure(code: SQLITE_MISUSE, message: "the database is closed")
        case .open: return try opened()
        case nil: break
        }
        return try await withCheckedThrowingContinuation { continuation in
            let handle = state.withLock { state -> SQLiteHandle? in
                guard let handle = state.free.popLast() else {
                    state.waiters.append(continuation)
                    return nil
                }
                return handle
            }
            if let handle { continuation.resume(returning: handle) }
        }
    }

    /// A new connection, counted; a failure to open gives its place back.
    private func opened() throws -> SQLiteHandle {
        do {
            let handle = try open()
            state.withLock { $0.all.append(handle) }
            return handle
        } catch {
            state.withLock { $0.opened -= 1 }
            throw error
        }
    }

    private func giveBack(_ handle: SQLiteHandle) {
        let waiter = state.withLock { state -> CheckedContinuation<SQLiteHandle, any Error>? in
            guard !state.waiters.isEmpty else {
                state.free.append(handle)
                return nil
            }
            return state.waiters.removeFirst()
        }
        waiter?.resume(returning: handle)
    }
}
