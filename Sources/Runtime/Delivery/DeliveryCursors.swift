import Foundation
import FunctionKit
import SQLKit

/// Where each subscription has got to in each publisher's outbox (`delivery_cursors`, in the runtime's
/// database): every statement on the table.
struct DeliveryCursors: Sendable {
    /// One subscription's place in one publisher's outbox, and the state of a failing delivery there.
    struct Row: Sendable, Equatable {
        var consumer: String
        var publisher: String
        /// The last outbox `seq` delivered.
        var position: Int64
        var attempts: Int
        var deferrals: Int
        /// When the delivery at the head is tried again; `nil` when none waits.
        var nextAttemptAt: Date?
        var lastError: String?
    }

    let database: any ServiceDatabase

    /// The cursors kept by `storage`.
    static func open(_ storage: any StorageEngine) async throws -> DeliveryCursors {
        DeliveryCursors(
            database: try await storage.database(for: DeliveryTables.database, migrations: DeliveryTables.migrations))
    }

    /// `consumer`'s cursors, one per publisher it has read.
    func rows(of consumer: String) async throws -> [Row] {
        try await database.read { sql in try await Self.select.query(consumer, on: sql).all().map(Row.init(row:)) }
    }

    /// The cursors whose head waits for a retry, by consumer and publisher.
    func waiting() async throws -> [Row] {
        try await database.read { sql in
            try await sql.select().column("*").from(DeliveryTables.cursors)
                .where("next_attempt_at", .greaterThan, 0)
                .orderBy("consumer").orderBy("publisher").all().map(Row.init(row:))
        }
    }

    /// Stores `row`, never moving a cursor back: a runtime that lost its lease without noticing (its session
    /// cut) and finishes a batch late cannot move a cursor back over what its successor delivered.
    func save(_ row: Row) async throws {
        try await database.transaction { sql in
            try await Self.upsert.query(
                row.consumer, row.publisher, row.position, row.attempts, row.deferrals,
                row.nextAttemptAt?.epochMilliseconds ?? 0, row.lastError, on: sql
            ).run()
        }
    }

    // Templates, not builders: the dispatcher runs these on every pass, and SQLKit's builders cost more to
    // serialize than the statements cost to run (quoting each identifier alone is thousands of instructions).
    private static let select = SQLTemplate("SELECT * FROM \(DeliveryTables.cursors) WHERE consumer = ?")
    private static let upsert = SQLTemplate(
        """
        INSERT INTO \(DeliveryTables.cursors) \
        (consumer, publisher, position, attempts, deferrals, next_attempt_at, last_error) VALUES (?, ?, ?, ?, ?, ?, ?) \
        ON CONFLICT (consumer, publisher) DO UPDATE SET position = excluded.position, \
        attempts = excluded.attempts, deferrals = excluded.deferrals, next_attempt_at = excluded.next_attempt_at, \
        last_error = excluded.last_error WHERE \(DeliveryTables.cursors).position <= excluded.position
        """)
}

extension DeliveryCursors.Row {
    init(row: any SQLRow) throws {
        let nextAttemptAt = try row.decode(column: "next_attempt_at", as: Int64.self)
        self.init(
            consumer: try row.decode(column: "consumer", as: String.self),
            publisher: try row.decode(column: "publisher", as: String.self),
            position: try row.decode(column: "position", as: Int64.self),
            attempts: try row.decode(column: "attempts", as: Int.self),
            deferrals: try row.decode(column: "deferrals", as: Int.self),
            nextAttemptAt: nextAttemptAt > 0 ? Date(epochMilliseconds: nextAttemptAt) : nil,
            lastError: try row.decode(column: "last_error", as: String?.self))
    }
}
