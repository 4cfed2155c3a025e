import Foundation
import FunctionKit
import Logging
import NIOCore
import PostgresKit
import PostgresNIO
import SQLKit

/// A service's database as a PostgreSQL schema of the same name, reached through its own connection pool
/// whose `search_path` is that schema — so handler queries name bare tables exactly as on SQLite.
///
/// Transactions are `SERIALIZABLE`, which gives handlers the same guarantees as SQLite's one writer at a
/// time: a transaction PostgreSQL cannot fit in a serial order (or a deadlock) is rolled back and run again,
/// a few times, with a short random pause. A transaction body must therefore have no effects outside the
/// database, which is already the rule for handlers (their effects are recorded only after the commit).
final class PostgresServiceDatabase: ServiceDatabase {
    let service: String
    let client: PostgresClient
    private let logger: Logger
    /// How many times a transaction is tried before its serialization failure is thrown.
    static let attempts = 10

    /// The pool's and the transactions' metrics; `nil` measures nothing.
    let metrics: DatabaseMetrics?

    init(service: String, client: PostgresClient, logger: Logger, metrics: DatabaseMetrics? = nil) {
        self.metrics = metrics
        self.service = service
        self.client = client
        self.logger = logger
    }

    /// Runs `body` in a `SERIALIZABLE` transaction, again when PostgreSQL asks for it. Like SQLite's, it runs
    /// to its end even when the calling task is cancelled, so a connection never goes back to the pool inside
    /// a transaction whose `ROLLBACK` was refused.
    func transaction<T: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        try await CancellationShield.run(body) { body in try await self.serializable(body) }
    }

    private func serializable<T: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        var attempt = 1
        while true {
            do {
                return try await leased { connection in
                    let sql = PostgresConnectionSQL(connection)
                    // `BEGIN` is sent now and its answer read later: the connection runs its queries in the
                    // order they were written, and this one is written before `query` returns, so the body's
                    // first statement follows it on the wire a round trip sooner. (It cannot fail on its own:
                    // a broken connection fails every statement after it too.)
                    let begun = PostgresConnectionSQL.first(
                        connection.query(Self.begin, logger: logger), orClosing: connection.closeFuture)
                    do {
                        let value = try await body(sql)
                        _ = try await begun.get()
                        try await sql.raw("COMMIT").run()
                        return value
                    } catch {
                        _ = try? await begun.get()
                        try? await sql.raw("ROLLBACK").run()
                        throw error
                    }
                }
            } catch  where Self.isRetryable(error) && attempt < Self.attempts {
                logger.debug(
                    "transaction retried", metadata: ["service": "\(service)", "attempt": "\(attempt)"])
                metrics?.retried()
                try await Task.sleep(for: .milliseconds(Int.random(in: 1...(5 * attempt))))
                attempt += 1
            }
        }
    }

    private static let begin: PostgresQuery = "BEGIN ISOLATION LEVEL SERIALIZABLE"

    func read<T: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        try await leased { connection in try await body(PostgresConnectionSQL(connection)) }
    }

    /// Runs `body` on a connection of the pool, measuring the wait for it and the time it is held.
    private func leased<T: Sendable>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
        guard let metrics else { return try await client.withConnection(body) }
        let asked = ContinuousClock.now
        return try await client.withConnection { connection in
            metrics.leased(after: ContinuousClock.now - asked)
            defer { metrics.returned() }
            return try await body(connection)
        }
    }

    /// Whether `error` is PostgreSQL asking for the transaction to be run again: a serialization failure
    /// (`40001`) or a deadlock (`40P01`).
    static func isRetryable(_ error: any Error) -> Bool {
        guard let state = (error as? PSQLError)?.serverInfo?[.sqlState] else { return false }
        return state == "40001" || state == "40P01"
    }
}

extension PostgresServiceDatabase: OutboxSequencing {
    func sequenceOutbox() async throws -> Int64 {
        try await read { sql in
            try await sql.raw("SELECT \(unsafeRaw: PostgresMessaging.sequenceFunction)() AS head").first()?
                .decode(column: "head", as: Int64.self) ?? 0
        }
    }
}
