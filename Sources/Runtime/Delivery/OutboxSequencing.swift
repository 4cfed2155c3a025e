/// A database whose outbox rows are numbered in commit order only when asked (PostgreSQL: see
/// ``PostgresMessaging``); on SQLite, whose one writer numbers them as they commit, nothing needs asking.
public protocol OutboxSequencing: Sendable {
    /// Numbers the committed rows not numbered yet, after every number handed out before; returns the
    /// highest number.
    func sequenceOutbox() async throws -> Int64
}
