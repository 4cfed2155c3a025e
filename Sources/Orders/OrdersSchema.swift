import FunctionKit
import SQLKit

/// The orders service's tables: its orders, and its replica of the tickets.
enum OrdersSchema {
    /// The partial unique index that lets a ticket have at most one live order: written as raw SQL because
    /// SQLKit has no builder for index predicates; the statement is the same on SQLite and PostgreSQL.
    static let oneLiveOrderPerTicket = SQLQueryString(
        "CREATE UNIQUE INDEX orders_one_live_order_per_ticket ON orders (ticket_id) WHERE status <> 'cancelled'")

    static let migrations: [Migration] = [
        Migration("001-create-ticket-replicas") { sql in
            try await sql.create(table: TicketReplica.table)
                .column("id", type: .text, .primaryKey(autoIncrement: false))
                .column("title", type: .text, .notNull)
                .column("price_cents", type: .bigint, .notNull)
                .column("user_id", type: .text, .notNull)
                .column("version", type: .bigint, .notNull)
                .run()
            try await sql.create(index: "ticket_replicas_user_id").on(TicketReplica.table).column("user_id").run()
        },
        Migration("002-create-orders") { sql in
            try await sql.create(table: OrderRecord.table)
                .column("seq", type: .bigint, .primaryKey(autoIncrement: true))
                .column("id", type: .text, .notNull, .unique)
                .column("user_id", type: .text, .notNull)
                .column("ticket_id", type: .text, .notNull)
                .column("status", type: .text, .notNull)
                .column("expires_at", type: .bigint, .notNull)
                .column("version", type: .bigint, .notNull)
                .column("created_at", type: .bigint, .notNull)
                .run()
            try await sql.create(index: "orders_user_id").on(OrderRecord.table).column("user_id").run()
            try await sql.raw(oneLiveOrderPerTicket).run()
        },
    ]
}
