import FunctionKit
import SQLKit

/// What the messaging tables need on PostgreSQL beyond the portable ``MessagingTables``.
///
/// - **Outbox rows numbered in commit order.** Delivery reads each outbox past a cursor, which is only right
///   if no row with a smaller number becomes visible after a larger one — true on SQLite (one writer), not on
///   PostgreSQL, where numbers are handed out at insert and transactions commit in any order. So a row is
///   written with a provisional, negative `seq` (which no cursor ever passes), and the dispatcher numbers the
///   committed ones before it reads (``sequenceFunction``): one statement that, under a per-schema advisory
///   lock held until its own commit, gives every committed provisional row the next number, oldest first.
///   Rows committed later are numbered by a later call, with larger numbers. Publishing transactions wait for
///   nothing: the lock is taken by the numbering statement alone, inside the server, never across a round
///   trip to a client. (A transaction that reads another's committed work publishes after it, so causally
///   related events keep their order.)
/// - **Notifications on commit.** Publishing notifies channel `ticketing_outbox` and scheduling
///   `ticketing_timers`, with the schema as payload; PostgreSQL delivers both only if the transaction
///   commits, and every runtime on the database wakes at once instead of polling.
enum PostgresMessaging {
    /// The channel told of every commit that publishes.
    static let outboxChannel = "ticketing_outbox"
    /// The channel told of every commit that sets or moves a timer.
    static let timersChannel = "ticketing_timers"

    static let migrations: [Migration] = [
        Migration("pg-001-outbox-commit-order") { sql in
            try await sql.raw(
                """
                CREATE FUNCTION outbox_in_commit_order() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    PERFORM pg_advisory_xact_lock(hashtext('ticketing-outbox:' || TG_TABLE_SCHEMA));
                    NEW.seq := nextval(pg_get_serial_sequence(quote_ident(TG_TABLE_SCHEMA) || '.outbox', 'seq'));
                    PERFORM pg_notify('\(unsafeRaw: outboxChannel)', TG_TABLE_SCHEMA);
                    RETURN NEW;
                END
                $$
                """
            ).run()
            try await sql.raw(
                """
                CREATE TRIGGER outbox_in_commit_order BEFORE INSERT ON outbox
                FOR EACH ROW EXECUTE FUNCTION outbox_in_commit_order()
                """
            ).run()
            try await sql.raw(
                """
                CREATE FUNCTION timers_notify() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    PERFORM pg_notify('\(unsafeRaw: timersChannel)', TG_TABLE_SCHEMA);
                    RETURN NULL;
                END
                $$
                """
            ).run()
            try await sql.raw(
                """
                CREATE TRIGGER timers_notify AFTER INSERT OR UPDATE ON timers
                FOR EACH ROW EXECUTE FUNCTION timers_notify()
                """
            ).run()
        },
        // Numbering moved from insert (under a lock held to the publisher's commit, so publishing
        // transactions took turns across two client round trips) to the dispatcher's read.
        Migration("pg-002-outbox-numbered-after-commit") { sql in
            try await sql.raw("DROP TRIGGER outbox_in_commit_order ON outbox").run()
            try await sql.raw("DROP FUNCTION outbox_in_commit_order()").run()
            try await sql.raw("CREATE SEQUENCE outbox_provisional").run()
            try await sql.raw(
                """
                CREATE FUNCTION outbox_provisional_seq() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    NEW.seq := -nextval(quote_ident(TG_TABLE_SCHEMA) || '.outbox_provisional');
                    PERFORM pg_notify('\(unsafeRaw: outboxChannel)', TG_TABLE_SCHEMA);
                    RETURN NEW;
                END
                $$
                """
            ).run()
            try await sql.raw(
                """
                CREATE TRIGGER outbox_provisional_seq BEFORE INSERT ON outbox
                FOR EACH ROW EXECUTE FUNCTION outbox_provisional_seq()
                """
            ).run()
            // Volatile target-list functions are evaluated after ORDER BY: numbers follow the provisional
            // ones (insert order, oldest first). The sort names the provisional column: `ORDER BY seq` would
            // mean the output column `seq`, sorting by the new numbers, handed out in the order rows were read.
            try await sql.raw(
                """
                CREATE FUNCTION \(unsafeRaw: sequenceFunction)() RETURNS bigint LANGUAGE plpgsql
                SET search_path FROM CURRENT AS $$
                BEGIN
                    PERFORM pg_advisory_xact_lock(hashtext('ticketing-outbox:' || current_schema()));
                    UPDATE outbox SET seq = numbered.position
                    FROM (
                        SELECT seq AS provisional, nextval(pg_get_serial_sequence('outbox', 'seq')) AS position
                        FROM outbox WHERE seq < 0 ORDER BY provisional DESC
                    ) AS numbered
                    WHERE outbox.seq = numbered.provisional;
                    RETURN coalesce((SELECT max(seq) FROM outbox), 0);
                END
                $$
                """
            ).run()
        },
    ]

    /// The function that numbers the committed outbox rows still provisional and returns the highest
    /// number: the head of the outbox in commit order.
    static let sequenceFunction = "outbox_sequence"
}
