import FunctionKit
import SQLKit

/// A service's outbox as delivery reads it: how far it goes, and the events after a position. (Handlers
/// append to it through their transaction's `publish`, in the same commit as their change.)
public struct Outbox: Sendable {
    private let database: any ServiceDatabase

    /// The outbox of `database`'s service.
    public init(_ database: any ServiceDatabase) {
        self.database = database
    }

    /// The highest number in the outbox, once its committed rows are numbered (0 when it is empty).
    public func head() async throws -> Int64 {
        if let sequencing = database as? any OutboxSequencing { return try await sequencing.sequenceOutbox() }
        return try await database.read { sql in
            try await sql.select().column(SQLFunction("max", args: SQLColumn("seq")), as: "head")
                .from(MessagingTables.outbox).first()?.decode(column: "head", as: Int64?.self) ?? 0
        }
    }

    /// Up to `limit` events of `subject` (of every subject when `nil`) after `position`, oldest first. Only
    /// numbered rows are read: on PostgreSQL, ``head()`` numbers those committed since it last ran.
    public func events(after position: Int64, subject: String? = nil, limit: Int) async throws -> [OutboxEvent] {
        let publisher = database.service
        return try await database.read { sql in
            var query = sql.select().columns(OutboxEvent.columns.map { SQLColumn($0) }).from(MessagingTables.outbox)
            if let subject { query = query.where("subject", .equal, subject) }
            return
                try await query
                .where("seq", .greaterThan, position)
                .orderBy("seq").limit(limit).all()
                .map { try OutboxEvent(row: $0, publisher: publisher) }
        }
    }
}
