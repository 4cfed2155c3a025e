import Foundation
import Logging
import PostgresKit
import PostgresNIO
import SQLKit

extension PostgresEngine {
    /// A lease is a session-level advisory lock (`pg_try_advisory_lock`) held on a connection of its own
    /// for as long as `body` runs; a runtime killed meanwhile loses the connection, and PostgreSQL releases
    /// the lock at once for another runtime to take.
    public func withLease<T: Sendable>(_ name: String, _ body: @Sendable () async throws -> T) async throws -> T? {
        let client = coordinationClient()
        return try await client.withConnection { connection in
            let sql = PostgresConnectionSQL(connection)
            let key = "ticketing-lease:" + name
            let taken = try await sql.raw("SELECT pg_try_advisory_lock(hashtext(\(bind: key))) AS taken").first()?
                .decode(column: "taken", as: Bool.self)
            guard taken == true else { return nil }
            do {
                let value = try await body()
                _ = try await sql.raw("SELECT pg_advisory_unlock(hashtext(\(bind: key)))").run()
                return value
            } catch {
                _ = try? await sql.raw("SELECT pg_advisory_unlock(hashtext(\(bind: key)))").run()
                throw error
            }
        }
    }

    /// Listens on ``PostgresMessaging``'s channels; a lost connection is opened again after a second.
    public func watchCommits(
        published: @escaping @Sendable () -> Void, scheduled: @escaping @Sendable () -> Void
    ) async {
        let client = coordinationClient()
        while !Task.isCancelled {
            do {
                try await client.withConnection { connection in
                    try await withThrowingTaskGroup(of: Void.self) { group in
                        group.addTask {
                            try await connection.listen(on: PostgresMessaging.outboxChannel) { notifications in
                                for try await _ in notifications { published() }
                            }
                        }
                        group.addTask {
                            try await connection.listen(on: PostgresMessaging.timersChannel) { notifications in
                                for try await _ in notifications { scheduled() }
                            }
                        }
                        try await group.waitForAll()
                    }
                }
            } catch {
                guard !Task.isCancelled else { return }
                logger.warning("listening for commits failed; retrying", metadata: ["error": "\(error)"])
                // Whatever was committed while not listening is found by the passes these rings start.
                published()
                scheduled()
                try? await Task.sleep(for: .seconds(1))
            }
        }
    }
}
