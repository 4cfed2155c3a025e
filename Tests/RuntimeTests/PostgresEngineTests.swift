import Foundation
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
