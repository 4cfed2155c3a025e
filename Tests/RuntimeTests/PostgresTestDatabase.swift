import ChildProcess
import Foundation
import Logging

@testable import Runtime

/// The PostgreSQL server the tests may use: `TICKETING_TEST_POSTGRES_URL` (`scripts/test` starts one).
let postgresTestServer = ProcessInfo.processInfo.environment["TICKETING_TEST_POSTGRES_URL"].flatMap {
    $0.isEmpty ? nil : URLComponents(string: $0)
}

/// A database of a test's own on the test server.
enum PostgresTestDatabase {
    /// Creates a fresh database named after `prefix`, runs `body` with an engine on it, then shuts the engine
    /// down and drops the database. Does nothing when there is no test server.
    static func with(
        prefix: String, metrics: RuntimeMetrics? = nil, _ body: (PostgresEngine) async throws -> Void
    ) async throws {
        guard var components = postgresTestServer else { return }
        let name = prefix + "_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        try psql("CREATE DATABASE \(name)")
        defer { try? psql("DROP DATABASE IF EXISTS \(name) WITH (FORCE)") }
        components.path = "/\(name)"
        var logger = Logger(label: "test")
        logger.logLevel = .warning
        let engine = PostgresEngine(url: try PostgresURL(components.string ?? ""), logger: logger, metrics: metrics)
        do {
            try await body(engine)
        } catch {
            await engine.shutdown()
            throw error
        }
        await engine.shutdown()
    }

    static func psql(_ statement: String) throws {
        let psql = try ChildProcess.run(
            "/usr/bin/env", ["psql", postgresTestServer?.string ?? "", "-q", "-c", statement])
        guard psql.status == 0 else { throw Failure(statement: statement, error: psql.error) }
    }

    struct Failure: Error {
        var statement: String
        var error: String
    }
}
