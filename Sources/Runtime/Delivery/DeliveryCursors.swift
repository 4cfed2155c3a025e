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
        try await database.read { sql in
            try await sql.select().column("*").from(DeliveryTables.cursors).where("consumer", .equal, consumer)
                .all().map(Row.init(row:))
        }
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
            try await sql.insert(into: DeliveryTables.cursors)
                .columns(
                    "consumer", "publisher", "position", "attempts", "deferrals", "next_attempt_at", "last_error"
                )
                .values(
                    SQLBind(row.consumer), SQLBind(row.publisher), SQLBind(row.position), SQLBind(row.attempts),
                    SQLBind(row.deferrals), SQLBind(row.nextAttemptAt?.epochMilliseconds ?? 0), SQLBind(row.lastError)
                )
                .onConflict(with: ["consumer", "publisher"]) { update in
                    update.set(excludedValueOf: "position")
                        .set(excludedValueOf: "attempts")
                        .set(excludedValueOf: "deferrals")
                        .set(excludedValueOf: "next_attempt_at")
                        .set(excludedValueOf: "last_error")
                        .where(
                            SQLColumn("position", table: DeliveryTables.cursors), .lessThanOrEqual,
                            SQLExcludedColumn("position"))
                }
                .run()
        }
    }
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
