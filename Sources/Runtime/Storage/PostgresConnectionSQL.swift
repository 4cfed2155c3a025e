import Logging
import NIOCore
import PostgresKit
import PostgresNIO
import SQLKit
import Synchronization

/// A PostgreSQL connection as SQLKit sees it, whose statements fail once the connection has closed instead
/// of waiting for ever.
///
/// postgres-nio (1.33) writes each query into the channel without a promise for the write: a query written
/// after the server dropped the connection — PostgreSQL restarted, say — is discarded by the closed channel
/// and its result never comes. The chaos test found transactions hung that way (COMMIT after the connection
/// died, and the ROLLBACK after that), and with them the dispatcher and the pools. Every statement here is
/// raced against the connection's close: whichever ends first answers.
struct PostgresConnectionSQL: SQLDatabase {
    private let base: any SQLDatabase
    private let closed: EventLoopFuture<Void>

    /// The SQLKit view of `connection`.
    init(_ connection: PostgresConnection) {
        base = connection.sql(queryLogLevel: .trace)
        closed = connection.closeFuture
    }

    var logger: Logger { base.logger }
    var eventLoop: any EventLoop { base.eventLoop }
    var version: (any SQLDatabaseReportedVersion)? { base.version }
    var dialect: any SQLDialect { base.dialect }
    var queryLogLevel: Logger.Level? { base.queryLogLevel }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> Void)
        -> EventLoopFuture<Void>
    {
        Self.first(base.execute(sql: query, onRow), orClosing: closed)
    }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> Void) async throws {
        try await execute(sql: query, onRow).get()
    }

    /// `work`'s result, or ``PostgresConnectionLost`` if `closed` completes first.
    static func first<T: Sendable>(_ work: EventLoopFuture<T>, orClosing closed: EventLoopFuture<Void>)
        -> EventLoopFuture<T>
    {
        let promise = work.eventLoop.makePromise(of: T.self)
        let answered = Mutex(false)
        let answer: @Sendable (Result<T, any Error>) -> Void = { result in
            guard
                answered.withLock({ done in
                    defer { done = true }; return !done
                })
            else { return }
            promise.completeWith(result)
        }
        work.whenComplete(answer)
        closed.whenComplete { _ in answer(.failure(PostgresConnectionLost())) }
        return promise.futureResult
    }
}

/// The connection a statement was sent on closed before it was answered.
struct PostgresConnectionLost: Error, CustomStringConvertible {
    var description: String { "the connection to PostgreSQL closed before the statement was answered" }
}
