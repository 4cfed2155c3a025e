import Foundation
import FunctionKit
import Logging
import SQLKit
import Synchronization
import Testing

@testable import Runtime

/// The outbox on PostgreSQL is numbered after commit, by the dispatcher's read (``OutboxSequencing``): a row
/// becomes readable past a cursor only once numbered, and numbers follow commits, so a reader that moves its
/// cursor over what it read never skips a row that commits later. Runs when `TICKETING_TEST_POSTGRES_URL`
/// names a server (`scripts/test` starts one); each test gets a database of its own.
@Suite(
    .enabled(if: postgresTestServer != nil, "needs TICKETING_TEST_POSTGRES_URL (scripts/test starts one)"),
    .timeLimit(.minutes(2)))
struct PostgresOutboxTests {
    @Test func aRowCommittedLaterIsNumberedAfterOnesCommittedBeforeIt() async throws {
        try await withOutbox { database in
            // The first transaction publishes, then stays open while the second publishes and commits.
            let (published, tellPublished) = AsyncStream.makeStream(of: Void.self)
            let (release, commit) = AsyncStream.makeStream(of: Void.self)
            let early = Task {
                try await database.transaction { sql in
                    try await Self.publish("early", in: sql)
                    tellPublished.yield()
                    for await _ in release { break }
                }
            }
            for await _ in published { break }
            try await database.transaction { sql in try await Self.publish("late", in: sql) }

            // Only the committed row is numbered and readable; the open one is invisible, not skipped.
            let head = try await database.sequenceOutbox()
            #expect(try await Self.events(after: 0, in: database) == ["late"])
            commit.yield()
            try await early.value
            let next = try await database.sequenceOutbox()
            #expect(next > head)
            #expect(try await Self.events(after: head, in: database) == ["early"])
            #expect(try await Self.events(after: 0, in: database) == ["late", "early"])
        }
    }

    @Test func oneTransactionsEventsKeepTheirPublishingOrder() async throws {
        try await withOutbox { database in
            try await database.transaction { sql in
                for name in ["a", "b", "c", "d"] { try await Self.publish(name, in: sql) }
            }
            _ = try await database.sequenceOutbox()
            #expect(try await Self.events(after: 0, in: database) == ["a", "b", "c", "d"])
        }
    }

    @Test func aReaderFollowingConcurrentPublishersReadsEveryEventOnce() async throws {
        try await withOutbox { database in
            let writers = 8
            let perWriter = 100
            let done = Counter()
            let reader = Task {
                var cursor: Int64 = 0
                var read: [String] = []
                while true {
                    let finished = done.value == writers
                    let head = try await database.sequenceOutbox()
                    while cursor < head {
                        let position = cursor
                        let batch = try await database.read { sql in
                            try await sql.raw(
                                "SELECT seq, event_id FROM outbox WHERE seq > \(bind: position) ORDER BY seq LIMIT 25"
                            ).all()
                        }
                        for row in batch {
                            cursor = try row.decode(column: "seq", as: Int64.self)
                            read.append(try row.decode(column: "event_id", as: String.self))
                        }
                        if batch.isEmpty { break }
                    }
                    if finished { return read }
                    await Task.yield()
                }
            }
            try await withThrowingTaskGroup(of: Void.self) { group in
                for writer in 0..<writers {
                    group.addTask {
                        for index in 0..<perWriter {
                            try await database.transaction { sql in
                                try await Self.publish("w\(writer)-\(index)-1", in: sql)
                                try await Self.publish("w\(writer)-\(index)-2", in: sql)
                            }
                        }
                        done.increment()
                    }
                }
                try await group.waitForAll()
            }
            let read = try await reader.value
            #expect(read.count == writers * perWriter * 2)
            #expect(Set(read).count == read.count)
            // Each writer's events in its own order: a transaction that follows another's commit follows it.
            for writer in 0..<writers {
                let own = read.filter { $0.hasPrefix("w\(writer)-") }
                let expected = (0..<perWriter).flatMap { ["w\(writer)-\($0)-1", "w\(writer)-\($0)-2"] }
                #expect(own == expected)
            }
        }
    }

    // MARK: Helpers

    static func publish(_ id: String, in sql: any SQLDatabase) async throws {
        try await sql.raw(
            """
            INSERT INTO outbox (event_id, subject, data, created_at) \
            VALUES (\(bind: id), 'test:published', '{}', \(bind: Int64(0)))
            """
        ).run()
    }

    static func events(after position: Int64, in database: PostgresServiceDatabase) async throws -> [String] {
        try await database.read { sql in
            try await sql.raw("SELECT event_id FROM outbox WHERE seq > \(bind: position) ORDER BY seq").all()
                .map { try $0.decode(column: "event_id", as: String.self) }
        }
    }

    /// A fresh database on the test server, its `outbox` service's database opened and migrated, dropped after.
    func withOutbox(_ body: (PostgresServiceDatabase) async throws -> Void) async throws {
        try await PostgresTestDatabase.with(prefix: "outbox") { engine in
            let database = try #require(
                try await engine.database(for: "outbox", migrations: []) as? PostgresServiceDatabase)
            try await body(database)
        }
    }

    /// A count shared between tasks.
    final class Counter: Sendable {
        private let count = Mutex(0)
        var value: Int { count.withLock { $0 } }
        func increment() { count.withLock { $0 += 1 } }
    }
}
