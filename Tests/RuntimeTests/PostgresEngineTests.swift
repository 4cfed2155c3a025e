import Foundation
import FunctionKit
import Logging
import PostgresNIO
import SQLKit
import ServiceLifecycle
import Synchronization
import Testing

@testable import Runtime

/// The engine's pools belong to the engine: they close when it shuts down, not before. Runs when
/// `TICKETING_TEST_POSTGRES_URL` names a server (`scripts/test` starts one).
@Suite(
    .enabled(if: postgresTestServer != nil, "needs TICKETING_TEST_POSTGRES_URL (scripts/test starts one)"),
    .timeLimit(.minutes(1)))
struct PostgresEngineTests {
    /// `serve` opens a service's pool the first time a request or a delivery pass needs it, inside its service
    /// group. On SIGINT the group shuts down gracefully and the dispatcher finishes the pass in progress; that
    /// pass must still reach the database (a pool run in the group's context used to close with it, and the
    /// last pass failed with `poolShutdown`).
    @Test func aPoolOpenedInsideAServiceGroupServesThroughItsGracefulShutdown() async throws {
        try await PostgresTestDatabase.with(prefix: "engine") { engine in
            let (opened, tellOpened) = AsyncStream.makeStream(of: Void.self)
            let service = LastPass(engine: engine, opened: tellOpened)
            let group = ServiceGroup(services: [service], logger: Logger(label: "test"))
            async let running: Void = group.run()
            for await _ in opened { break }
            await group.triggerGracefulShutdown()
            try await running
            #expect(service.answered.load() == LastPass.queries)
        }
    }

    /// Each service's pool is measured: its size, the connections in use, the wait for one, and the
    /// transactions run again. Two transactions each read the row the other writes, both reading before
    /// either writes: under serializable isolation PostgreSQL fails one, and it is run again.
    @Test func aServicesPoolAndItsRetriesAreMeasured() async throws {
        let metrics = RuntimeMetrics()
        try await PostgresTestDatabase.with(prefix: "metrics", metrics: metrics) { engine in
            let database = try await engine.database(
                for: "tally",
                migrations: [
                    Migration("001-tally") { sql in
                        try await sql.raw("CREATE TABLE tally (name text PRIMARY KEY, n bigint NOT NULL)").run()
                        try await sql.raw("INSERT INTO tally VALUES ('a', 0), ('b', 0)").run()
                    }
                ])
            let read = Barrier(parties: 2)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for (reads, writes) in [("a", "b"), ("b", "a")] {
                    group.addTask {
                        let first = Atomic(true)
                        try await database.transaction { sql in
                            let n =
                                try await sql.raw("SELECT n FROM tally WHERE name = \(bind: reads)").first()?
                                .decode(column: "n", as: Int.self) ?? 0
                            // The first attempts meet here: both have read before either writes.
                            if first.exchange(false, ordering: .relaxed) { await read.arrive() }
                            try await sql.raw("UPDATE tally SET n = \(bind: n + 1) WHERE name = \(bind: writes)").run()
                        }
                    }
                }
                try await group.waitForAll()
            }
        }
        let text = String(decoding: metrics.exposition(), as: UTF8.self)
        func value(_ series: String) -> Int {
            text.split(separator: "\n").first { $0.hasPrefix(series + " ") }?.split(separator: " ").last
                .flatMap { Int($0) } ?? -1
        }
        #expect(text.contains(#"ticketing_database_connections_max{service="tally"} 8.0"#), "\(text)")
        #expect(text.contains(#"ticketing_database_connections_in_use{service="tally"} 0.0"#))
        #expect(value(#"ticketing_database_transaction_retries_total{service="tally"}"#) == 1, "\(text)")
        // The migration's, the two transactions' and the retry's connections, at least.
        #expect(value(#"ticketing_database_connection_wait_seconds_count{service="tally"}"#) >= 3, "\(text)")
    }

    /// Lets `parties` tasks go on only once all of them have arrived.
    actor Barrier {
        let parties: Int
        private var waiting: [CheckedContinuation<Void, Never>] = []

        init(parties: Int) { self.parties = parties }

        func arrive() async {
            if waiting.count + 1 == parties {
                for waiter in waiting { waiter.resume() }
                waiting = []
                return
            }
            await withCheckedContinuation { waiting.append($0) }
        }
    }

    /// A statement sent on a connection the server has dropped (PostgreSQL restarted, the backend killed)
    /// fails at once. postgres-nio writes it into the closed channel and never answers; transactions hung so
    /// under the chaos test, and the dispatcher and the pools with them.
    @Test func aStatementOnAConnectionTheServerDroppedFails() async throws {
        guard let server = postgresTestServer else { return }
        let url = try PostgresURL(server.string ?? "")
        var configuration = url.clientConfiguration()
        configuration.options.maximumConnections = 1
        let client = PostgresClient(configuration: configuration)
        let run = PostgresEngine.running(client)
        defer { run.cancel() }
        try await client.withConnection { connection in
            let sql = PostgresConnectionSQL(connection)
            let pid = try #require(
                try await sql.raw("SELECT pg_backend_pid() AS pid").first()?.decode(column: "pid", as: Int.self))
            try PostgresTestDatabase.psql("SELECT pg_terminate_backend(\(pid))")
            try? await connection.closeFuture.get()
            await #expect(throws: PostgresConnectionLost.self) {
                try await sql.raw("SELECT 1 AS one").run()
            }
        }
    }

    /// Opens a pool, then, once graceful shutdown has begun, keeps using it as a dispatcher finishing its pass.
    struct LastPass: Service {
        static let queries = 50
        let engine: PostgresEngine
        let opened: AsyncStream<Void>.Continuation
        let answered = Answered()

        func run() async throws {
            let database = try await engine.database(for: "late", migrations: [])
            opened.yield()
            try? await gracefulShutdown()
            for _ in 0..<Self.queries {
                _ = try await database.read { sql in try await sql.raw("SELECT 1 AS one").all() }
                answered.add()
            }
        }
    }

    /// How many queries were answered.
    final class Answered: Sendable {
        private let count = Mutex(0)
        func add() { count.withLock { $0 += 1 } }
        func load() -> Int { count.withLock { $0 } }
    }
}
