import FunctionKit
import SQLKit

/// The runtime's own tables, in a database of its own (`runtime`): where each subscription has got to in
/// each publisher's outbox, and the deliveries that were given up on.
enum DeliveryTables {
    /// The database's name; no service may take it.
    static let database = "runtime"
    /// One row per subscription and publishing service: the last outbox `seq` delivered, and the state of
    /// a failing delivery at the head.
    static let cursors = "delivery_cursors"
    /// Deliveries that failed every attempt (or could never succeed), kept until redriven.
    static let deadLetters = "dead_letters"

    static let migrations: [Migration] = [
        Migration("001-delivery") { sql in
            try await sql.create(table: cursors).ifNotExists()
                .column("consumer", type: .text, .notNull)
                .column("publisher", type: .text, .notNull)
                .column("position", type: .bigint, .notNull)
                .column("attempts", type: .bigint, .notNull)
                .column("next_attempt_at", type: .bigint, .notNull)
                .column("last_error", type: .text)
                .primaryKey("consumer", "publisher")
                .run()
            try await sql.create(table: deadLetters).ifNotExists()
                .column("id", type: .bigint, .primaryKey(autoIncrement: true))
                .column("kind", type: .text, .notNull)
                .column("consumer", type: .text, .notNull)
                .column("origin", type: .text, .notNull)
                .column("event_id", type: .text, .notNull)
                .column("event_type", type: .text, .notNull)
                .column("event", type: .text, .notNull)
                .column("error", type: .text, .notNull)
                .column("attempts", type: .bigint, .notNull)
                .column("dead_at", type: .bigint, .notNull)
                .column("state", type: .text, .notNull)
                .column("next_attempt_at", type: .bigint, .notNull)
                .run()
            try await sql.create(index: "dead_letters_state").on(deadLetters).column("state").column(
                "next_attempt_at"
            ).run()
        },
        Migration("002-delivery-deferrals") { sql in
            try await sql.alter(table: cursors).column("deferrals", type: .bigint, .notNull, .default(0)).run()
        },
    ]
}
