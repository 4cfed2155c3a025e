import FunctionKit
import SQLKit

/// The tickets service's tables.
enum TicketsSchema {
    static let migrations: [Migration] = [
        Migration("001-create-tickets") { sql in
            try await sql.create(table: TicketRecord.table)
                .column("seq", type: .bigint, .primaryKey(autoIncrement: true))
                .column("id", type: .text, .notNull, .unique)
                .column("title", type: .text, .notNull)
                .column("title_search", type: .text, .notNull)
                .column("price_cents", type: .bigint, .notNull)
                .column("user_id", type: .text, .notNull)
                .column("version", type: .bigint, .notNull)
                .column("order_id", type: .text)
                .column("created_at", type: .bigint, .notNull)
                .run()
            try await sql.create(index: "tickets_user_id").on(TicketRecord.table).column("user_id").run()
        },
        Migration("002-create-released-orders") { sql in
            try await sql.create(table: ReleasedOrders.table)
                .column("order_id", type: .text, .primaryKey(autoIncrement: false))
                .column("ticket_id", type: .text, .notNull)
                .column("released_at", type: .bigint, .notNull)
                .run()
        },
    ]
}
