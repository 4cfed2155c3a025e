import Contracts
import Foundation
import FunctionKit
import FunctionTesting
import Logging
import SQLKit
import Testing
import Tickets

@testable import Runtime

/// The embedded SQLite engine, migrations, the outbox and the inbox.
@Suite struct StorageTests {
    struct Boom: Error {}

    static func count(_ table: String, in database: any ServiceDatabase) async throws -> Int {
        try await database.read { sql in
            try await sql.select().column(SQLFunction("count", args: SQLLiteral.all), as: "n").from(table).first()?
                .decode(column: "n", as: Int.self) ?? -1
        }
    }

    @Test func aFailedTransactionLeavesNeitherRowNorEvent() async throws {
        try await TestHarness.with(services: [TicketsService.definition()]) { harness in
            let database = try await harness.invoker.database(for: TicketsService.name)
            let context = FunctionContext(
                functionName: "test", invocationID: "1", clock: harness.clock, logger: Logger(label: "test"),
                session: nil,
                sessions: harness.invoker.sessions, database: database)
            await #expect(throws: Boom.self) {
                try await context.transaction { transaction in
                    try await transaction.sql.insert(into: "tickets")
                        .columns("id", "title", "title_search", "price_cents", "user_id", "version", "created_at")
                        .values(
                            SQLBind("t1"), SQLBind("x"), SQLBind("x"), SQLBind(100), SQLBind("u"), SQLBind(0),
                            SQLBind(0)
                        ).run()
                    try await transaction.publish(
                        TicketCreated(id: "t1", version: 0, title: "x", price: Price(cents: 100), userId: "u"))
                    throw Boom()
                }
            }
            #expect(try await Self.count("tickets", in: database) == 0)
            #expect(try await Self.count(MessagingTables.outbox, in: database) == 0)
            #expect(context.effects.effects.isEmpty, "effects are recorded only on commit")
        }
    }

    @Test func aTransactionWhoseTaskIsCancelledStillEndsAndLeavesTheDatabaseUsable() async throws {
        try await TestHarness.with(services: [TicketsService.definition()]) { harness in
            let database = try await harness.invoker.database(for: TicketsService.name)
            let (started, startedNow) = AsyncStream.makeStream(of: Void.self)
            let (gate, open) = AsyncStream.makeStream(of: Void.self)
            // A handler abandoned at its timeout: its task is cancelled while its transaction is open.
            let abandoned = Task {
                try await database.transaction { sql in
                    try await sql.raw("CREATE TABLE first_half (n INTEGER)").run()
                    startedNow.yield()
                    for await _ in gate { break }
                    try await sql.raw("CREATE TABLE second_half (n INTEGER)").run()
                }
            }
            for await _ in started { break }
            abandoned.cancel()
            open.yield()
            try await abandoned.value
            // The transaction ran to its end, and the next one starts.
            try await database.transaction { sql in try await sql.raw("CREATE TABLE after (n INTEGER)").run() }
            #expect(try await Self.count("second_half", in: database) == 0)
            #expect(try await Self.count("after", in: database) == 0)
        }
    }

    @Test func aTicketIsNotStoredWhenItsEventCannotBe() async throws {
        try await TestHarness.with(services: [TicketsService.definition()]) { harness in
            let database = try await harness.invoker.database(for: TicketsService.name)
            // Break the outbox: the handler's insert and its publish share one transaction, so the ticket
            // row must roll back with the failed event write.
            try await database.transaction { sql in
                try await sql.drop(table: MessagingTables.outbox).run()
                try await sql.create(table: MessagingTables.outbox).column("seq", type: .bigint).run()
            }
            let token = try await harness.token(userID: "u1", email: "u1@example.com")
            let response = try await harness.http("tickets-create", body: #"{"title":"x","price":1}"#, token: token)
            #expect(response.status == 500)
            #expect(response.published.isEmpty)
            #expect(try await Self.count("tickets", in: database) == 0)
        }
    }

    @Test func transactionsWaitingTogetherCommitTogetherAndAFailingOneAlone() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ticketing-group-\(UUID())")
        defer { try? FileManager.default.removeItem(at: directory) }
        let engine = try SQLiteEngine(directory: directory, logger: Logger(label: "test"))
        let database = try await engine.database(for: "group", migrations: [])
        try await database.transaction { sql in try await sql.raw("CREATE TABLE rows (n INTEGER UNIQUE)").run() }
        // One transaction holds the writer while twenty more queue up behind it: they form one group.
        let (started, startedNow) = AsyncStream.makeStream(of: Void.self)
        let (gate, open) = AsyncStream.makeStream(of: Void.self)
        let holder = Task {
            try await database.transaction { sql in
                try await sql.raw("INSERT INTO rows (n) VALUES (\(bind: -1))").run()
                startedNow.yield()
                for await _ in gate { break }
            }
        }
        for await _ in started { break }
        let results = try await withThrowingTaskGroup(of: (Int, Result<Int?, Boom>).self) { group in
            for n in 0..<20 {
                group.addTask {
                    do {
                        let value: Int? = try await database.transaction { sql in
                            try await sql.raw("INSERT INTO rows (n) VALUES (\(bind: n))").run()
                            if n % 3 == 0 { throw Boom() }
                            return n % 5 == 0 ? nil : n * 10
                        }
                        return (n, .success(value))
                    } catch let error as Boom {
                        return (n, .failure(error))
                    }
                }
            }
            // Whether they all queue before the gate opens or some come later, the outcome is the same; that
            // queued transactions do form one group is GroupCommitTests'.
            open.yield()
            return try await group.reduce(into: [Int: Result<Int?, Boom>]()) { $0[$1.0] = $1.1 }
        }
        try await holder.value
        for n in 0..<20 {
            switch results[n] {
            case .success(let value)?:
                #expect(n % 3 != 0)
                #expect(value == (n % 5 == 0 ? nil : n * 10))
            case .failure?: #expect(n % 3 == 0)
            case nil: Issue.record("no result for \(n)")
            }
        }
        let stored = try await database.read { sql in
            try await sql.raw("SELECT n FROM rows ORDER BY n").all().map { try $0.decode(column: "n", as: Int.self) }
        }
        #expect(stored == [-1] + (0..<20).filter { $0 % 3 != 0 })
        await engine.shutdown()
    }

    @Test func migrationsRunOnceAndAgainChangeNothing() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ticketing-migrations-\(UUID())")
        defer { try? FileManager.default.removeItem(at: directory) }
        let service = TicketsService.definition()
        for _ in 0..<2 {
            let engine = try SQLiteEngine(directory: directory, logger: Logger(label: "test"))
            let database = try await engine.database(for: service.name, migrations: service.migrations)
            #expect(
                try await Self.count("schema_migrations", in: database)
                    == MessagingTables.migrations.count + service.migrations.count)
            await engine.shutdown()
        }
        #expect(FileManager.default.fileExists(atPath: directory.appendingPathComponent("tickets.sqlite").path))
    }

    @Test func publishedEventsAreCloudEventsInCommitOrder() async throws {
        try await TestHarness.with(services: [TicketsService.definition()]) { harness in
            let token = try await harness.token(userID: "u1", email: "u1@example.com")
            for title in ["a", "b", "c"] {
                _ = try await harness.http("tickets-create", body: #"{"title":"\#(title)","price":1}"#, token: token)
            }
            let database = try await harness.invoker.database(for: TicketsService.name)
            // On PostgreSQL rows are numbered in commit order when the dispatcher reads (``OutboxSequencing``).
            if let sequencing = database as? any OutboxSequencing { _ = try await sequencing.sequenceOutbox() }
            let rows = try await database.read { sql in
                try await sql.select().columns("subject", "data").from(MessagingTables.outbox)
                    .where("seq", .greaterThan, 0).orderBy("seq").all()
            }
            let titles = try rows.map { row in
                try JSONValue(parsing: Data(try row.decode(column: "data", as: String.self).utf8))["title"]?.stringValue
            }
            #expect(titles == ["a", "b", "c"])
            #expect(try rows.allSatisfy { try $0.decode(column: "subject", as: String.self) == "ticket:created" })
        }
    }
}
