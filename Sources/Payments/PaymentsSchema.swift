import FunctionKit
import SQLKit

/// The payments service's tables: its replica of the orders, the payment attempts in flight, and the
/// payments made.
enum PaymentsSchema {
    static let migrations: [Migration] = [
        Migration("001-create-order-replicas") { sql in
            try await sql.create(table: OrderReplica.table)
                .column("id", type: .text, .primaryKey(autoIncrement: false))
                .column("user_id", type: .text, .notNull)
                .column("status", type: .text, .notNull)
                .column("price_cents", type: .bigint, .notNull)
                .column("expires_at", type: .bigint, .notNull)
                .column("version", type: .bigint, .notNull)
                .run()
        },
        Migration("002-create-payments") { sql in
            try await sql.create(table: PaymentAttempt.table)
                .column("order_id", type: .text, .primaryKey(autoIncrement: false))
                .column("token", type: .text, .notNull)
                .column("started_at", type: .bigint, .notNull)
                .run()
            try await sql.create(table: PaymentRecord.table)
                .column("id", type: .text, .primaryKey(autoIncrement: false))
                .column("order_id", type: .text, .notNull, .unique)
                .column("stripe_id", type: .text, .notNull)
                .column("amount", type: .bigint, .notNull)
                .column("currency", type: .text, .notNull)
                .column("status", type: .text, .notNull)
                .column("refund_id", type: .text)
                .column("created_at", type: .bigint, .notNull)
                .run()
        },
    ]
}
