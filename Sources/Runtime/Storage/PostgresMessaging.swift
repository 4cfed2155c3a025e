import FunctionKit
import SQLKit

/// What the messaging tables need on PostgreSQL beyond the portable ``MessagingTables``.
///
/// - **Outbox rows numbered in commit order.** Delivery reads each outbox past a cursor, which is only right
///   if no row with a smaller number commits after a larger one — true on SQLite (one writer), not on
///   PostgreSQL, where numbers are handed out at insert and transactions commit in any order. A trigger
///   takes a per-schema transaction-level advisory lock before numbering a row, so publishing transactions
///   of one service take turns from their first publish to their commit, and numbers follow commits.
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
        }
    ]
}
