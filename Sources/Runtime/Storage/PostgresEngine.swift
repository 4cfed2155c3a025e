import Foundation
import FunctionKit
import Logging
import PostgresKit
import PostgresNIO
import SQLKit

/// The engine for `DATABASE_URL=postgres://…`: one PostgreSQL database, one schema per service (named after
/// it), and a connection pool per service whose `search_path` is that schema.
///
/// Several runtimes may share the database. Migrations take a per-service advisory lock, so replicas that
/// start together apply each migration once. On top of the messaging tables every engine has, each schema
/// gets ``PostgresMessaging``: outbox rows numbered in commit order and notifications on commit.
public actor PostgresEngine: StorageEngine {
    /// The server and database.
    public let url: PostgresURL
    let logger: Logger
    private let connectionsPerService: Int
    private let coordinationConnections: Int
    private var coordination: PostgresClient?
    private var open: [String: PostgresServiceDatabase] = [:]
    private var opening: [String: Task<PostgresServiceDatabase, any Error>] = [:]
    private var runs: [Task<Void, Never>] = []
    private let metrics: RuntimeMetrics?

    /// Creates the engine; nothing connects until a service's database is first asked for.
    ///
    /// - Parameters:
    ///   - connectionsPerService: the most connections each service's pool opens.
    ///   - coordinationConnections: the most connections delivery leases and commit notifications hold at
    ///     once (one per subscription and per service's timers being worked on, plus one listening).
    ///   - metrics: where each service's pool and transaction retries are measured; `nil` measures nothing.
    public init(
        url: PostgresURL, logger: Logger, connectionsPerService: Int = 8, coordinationConnections: Int = 32,
        metrics: RuntimeMetrics? = nil
    ) {
        self.url = url
        self.metrics = metrics
        self.logger = logger
        self.connectionsPerService = max(2, connectionsPerService)
        self.coordinationConnections = max(2, coordinationConnections)
    }

    public nonisolated var description: String { url.description }

    public func database(for service: String, migrations: [Migration]) async throws -> any ServiceDatabase {
        if let database = open[service] { return database }
        if let pending = opening[service] { return try await pending.value }
        let task = Task { try await self.connect(service, migrations: migrations) }
        opening[service] = task
        defer { opening[service] = nil }
        let database = try await task.value
        open[service] = database
        return database
    }

    private func connect(_ service: String, migrations: [Migration]) async throws -> PostgresServiceDatabase {
        var configuration = url.clientConfiguration()
        // A transaction left idle (a connection leaked mid-transaction) is ended by the server once it has
        // outlived the longest handler timeout, so its locks cannot hold the other replicas up for ever.
        configuration.options.additionalStartupParameters = [
            ("search_path", Self.quoted(service)), ("idle_in_transaction_session_timeout", "960s"),
        ]
        configuration.options.maximumConnections = connectionsPerService
        configuration.options.connectTimeout = .seconds(5)
        let client = PostgresClient(configuration: configuration, backgroundLogger: Self.quiet(logger))
        let run = Self.running(client)
        let database = PostgresServiceDatabase(
            service: service, client: client, logger: logger,
            metrics: metrics?.database(service, maximumConnections: connectionsPerService))
        do {
            try await prepare(service, client: client, database: database, migrations: migrations)
        } catch {
            // A pool that could not be used is closed, not left retrying its connections in the background.
            run.cancel()
            await run.value
            throw error
        }
        runs.append(run)
        return database
    }

    private func prepare(
        _ service: String, client: PostgresClient, database: PostgresServiceDatabase, migrations: [Migration]
    ) async throws {
        try await reach(client)
        try await client.withConnection { connection in
            let sql = PostgresConnectionSQL(connection)
            // Replicas starting together wait here for each other: one creates and migrates, the rest find it
            // done. The lock is the session's, so a replica that dies holding it releases it.
            try await sql.raw("SELECT pg_advisory_lock(hashtext(\(bind: "ticketing-migrate:" + service)))").run()
            do {
                try await sql.raw("CREATE SCHEMA IF NOT EXISTS \(unsafeRaw: Self.quoted(service))").run()
                try await Migrator(database: database, logger: logger).apply(
                    MessagingTables.migrations + PostgresMessaging.migrations + migrations)
            } catch {
                _ = try? await sql.raw("SELECT pg_advisory_unlock_all()").run()
                throw error
            }
            try await sql.raw("SELECT pg_advisory_unlock_all()").run()
        }
    }

    /// Fails in one line, within ``connectTimeout``, when the server cannot be reached, instead of waiting
    /// for ever for a connection.
    private func reach(_ client: PostgresClient) async throws {
        let url = self.url
        do {
            try await Deadline.run("PostgreSQL", seconds: Self.connectTimeout) {
                try await client.withConnection { connection in
                    _ = try await PostgresConnectionSQL(connection).raw("SELECT 1 AS ok").all()
                }
            }
        } catch let error as FunctionTimedOut {
            throw PostgresURLError("cannot reach PostgreSQL at \(url) within \(error.seconds.formatted()) s")
        } catch let error as PSQLError {
            let message = error.serverInfo?[.message] ?? "\(error.code)"
            throw PostgresURLError("cannot use PostgreSQL at \(url): \(message)")
        }
    }

    /// How long start-up waits for the server, in seconds.
    static let connectTimeout = 15.0

    /// The pool that leases and notifications use: apart from the services' pools, because a lease holds
    /// its connection while the delivery it guards uses the services' connections.
    func coordinationClient() -> PostgresClient {
        if let coordination { return coordination }
        var configuration = url.clientConfiguration()
        configuration.options.maximumConnections = coordinationConnections
        configuration.options.connectTimeout = .seconds(5)
        let client = PostgresClient(configuration: configuration, backgroundLogger: Self.quiet(logger))
        runs.append(Self.running(client))
        coordination = client
        return client
    }

    public func shutdown() async {
        for run in runs { run.cancel() }
        for run in runs { await run.value }
        runs = []
        open = [:]
        coordination = nil
    }

    /// Runs `client`'s pool until the task is cancelled, by ``shutdown()`` or its opener.
    ///
    /// Detached, so that it takes none of its opener's task-local values: `PostgresClient.run()` ends at the
    /// graceful shutdown of the service group it finds there, and a pool first opened by a request or a
    /// delivery pass in `serve` closed on SIGINT under the dispatcher still finishing its pass.
    static func running(_ client: PostgresClient) -> Task<Void, Never> {
        Task.detached { await client.run() }
    }

    /// The pool's own logger: errors only. (It warns when a connection is asked for before its run loop has
    /// been scheduled, which is expected here: the first query waits for it.)
    static func quiet(_ logger: Logger) -> Logger {
        var quiet = logger
        quiet.logLevel = max(logger.logLevel, .error)
        return quiet
    }

    /// `name` as a quoted SQL identifier.
    static func quoted(_ name: String) -> String {
        "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}

extension PostgresEngine {
    /// Runs `body` on one connection to `url`'s own database, outside any service schema.
    static func administer(
        _ url: PostgresURL, logger: Logger, _ body: @Sendable (any SQLDatabase) async throws -> Void
    ) async throws {
        var configuration = url.clientConfiguration()
        configuration.options.maximumConnections = 1
        let client = PostgresClient(configuration: configuration, backgroundLogger: quiet(logger))
        let run = running(client)
        defer { run.cancel() }
        try await client.withConnection { connection in try await body(PostgresConnectionSQL(connection)) }
    }
}
