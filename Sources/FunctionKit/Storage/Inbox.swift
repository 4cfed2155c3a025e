import Foundation
import SQLKit

/// A service's inbox: the events each of its consumers has handled, by source and id, so that a redelivery
/// changes nothing. Every statement on the table is here.
public enum Inbox {
    /// Records `entry` inside the consumer's open transaction; `false` when it was already there (the event
    /// was handled before).
    ///
    /// An ``SQLTemplate``, not a builder: every delivery writes here (see ``Outbox/append(_:data:at:in:)``).
    static func record(_ entry: InboxEntry, at time: Date, in sql: any SQLDatabase) async throws -> Bool {
        let recorded = try await insert.query(
            entry.consumer, entry.source, entry.eventID, time.epochMilliseconds, on: sql
        ).all()
        return !recorded.isEmpty
    }

    private static let insert = SQLTemplate(
        """
        INSERT INTO \(MessagingTables.inbox) (consumer, source, event_id, processed_at) VALUES (?, ?, ?, ?) \
        ON CONFLICT (consumer, source, event_id) DO NOTHING RETURNING event_id
        """)

    /// Whether `consumer` has handled the event with id `eventID` (from any source), in `database`.
    public static func holds(_ eventID: String, consumer: String, in database: any ServiceDatabase) async throws
        -> Bool
    {
        try await database.read { sql in
            try await sql.select().column("event_id").from(MessagingTables.inbox)
                .where("consumer", .equal, consumer).where("event_id", .equal, eventID).first() != nil
        }
    }
}
