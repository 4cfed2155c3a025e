import Synchronization

/// Read-only connections to one SQLite file, each lent to one reader at a time. WAL lets them read beside
/// the writer and beside each other, each seeing the last committed state.
final class SQLiteReaders: Sendable {
    private struct State {
        var free: [SQLiteHandle]
        var waiters: [CheckedContinuation<SQLiteHandle, Never>] = []
    }

    private let state: Mutex<State>
    private let all: [SQLiteHandle]

    /// Lends out `handles`.
    init(_ handles: [SQLiteHandle]) {
        all = handles
        state = Mutex(State(free: handles))
    }

    /// Runs `body` with a free connection, waiting for one when all are lent.
    func withReader<T>(_ body: (SQLiteHandle) async throws -> T) async throws -> T {
        let handle = await borrow()
        defer { giveBack(handle) }
        return try await body(handle)
    }

    /// Closes every connection; only once no reader runs.
    func close() {
        for handle in all { handle.close() }
    }

    private func borrow() async -> SQLiteHandle {
        if let handle = state.withLock({ $0.free.popLast() }) { return handle }
        return await withCheckedContinuation { continuation in
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

    private func giveBack(_ handle: SQLiteHandle) {
        let waiter = state.withLock { state -> CheckedContinuation<SQLiteHandle, Never>? in
            guard !state.waiters.isEmpty else {
                state.free.append(handle)
                return nil
            }
            return state.waiters.removeFirst()
        }
        waiter?.resume(returning: handle)
    }
}
