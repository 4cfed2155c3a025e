import SQLKit

/// The tables every service has besides its own: the outbox of events it published, the inbox of events
/// it consumed, and the timers (scheduled invocations) it requested.
public enum MessagingTables {
    /// The outbox: one row per published event, in commit order (`seq`).
    public static let outbox = "outbox"
    /// The inbox: one row per consumed event and consumer, for de-duplication.
    public static let inbox = "inbox"
    /// Scheduled invocations not yet fired.
    public static let timers = "timers"

    /// The migrations creating these tables, run before a service's own.
    public static let migrations: [Migration] = [
        Migration("000-messaging") { sql in
            try await sql.create(table: outbox).ifNotExists()
                .column("seq", type: .bigint, .primaryKey(autoIncrement: true))
                .column("event_id", type: .text, .notNull, .unique)
                .column("subject", type: .text, .notNull)
                .column("data", type: .text, .notNull)
                .column("created_at", type: .bigint, .notNull)
                .run()
            try await sql.create(table: inbox).ifNotExists()
                .column("consumer", type: .text, .notNull)
                .column("source", type: .text, .notNull)
                .column("event_id", type: .text, .notNull)
                .column("processed_at", type: .bigint, .notNull)
                .primaryKey("consumer", "source", "event_id")
                .run()
            try await sql.create(table: timers).ifNotExists()
                .column("id", type: .text, .primaryKey(autoIncrement: false))
                .column("function", type: .text, .notNull)
                .column("timer_key", type: .text, .notNull, .unique)
                .column("payload", type: .text, .notNull)
                .column("due_at", type: .bigint, .notNull)
                .column("created_at", type: .bigint, .notNull)
                .run()
            try await sql.create(index: "timers_due_at").on(timers).column("due_at").run()
        },
        Migration("001-messaging-delivery") { sql in
            try await sql.create(index: "outbox_subject_seq").on(outbox).column("subject").column("seq").run()
            try await sql.alter(table: timers).column("attempts", type: .bigint, .notNull, .default(0)).run()
        },
        Migration("002-messaging-timer-deferrals") { sql in
            try await sql.alter(table: timers).column("deferrals", type: .bigint, .notNull, .default(0)).run()
        },
        // W3C trace context of the invocation that published the event or set the timer.
        Migration("003-messaging-trace-context") { sql in
            for table in [outbox, timers] {
                try await sql.alter(table: table).column("traceparent", type: .text).run()
                try await sql.alter(table: table).column("tracestate", type: .text).run()
            }
        },
    ]
}
