/// Waiting for another process's lock on a SQLite file without blocking a thread: SQLite is asked not to
/// wait (its busy timeout is 0) and the statement is tried again after a sleep, for up to five seconds.
enum SQLiteBusyWait {
    /// How long a statement waits for another process's lock in all.
    static let limit = Duration.seconds(5)

    /// The value of `attempt`, tried again while it fails with a busy lock outside a transaction (inside one,
    /// a statement cannot be retried on its own, so the failure is the transaction's).
    static func run<T>(_ handle: SQLiteHandle, _ attempt: () throws -> T) async throws -> T {
        var waited = Duration.zero
        var pause = Duration.microseconds(500)
        while true {
            do {
                return try attempt()
            } catch let failure as SQLiteFailure where failure.isBusy && handle.isAutocommit && waited < limit {
                try await Task.sleep(for: pause)
                waited += pause
                pause = min(pause * 2, .milliseconds(50))
            }
        }
    }
}
