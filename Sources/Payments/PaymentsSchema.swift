import FunctionKit
import SQLKit

/// The payments service's tables: its replica of the orders, the payment attempts in flight, and the
/// payments made.
enum PaymentsSchema {
    /// Every charge that lands is kept, but only one of them pays its order.
    static let onePaymentPerOrder = SQLQueryString(
        "CREATE UNIQUE INDEX payments_one_paid_per_order ON payments (order_id) WHERE status = 'succeeded'")

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
        Migration("003-keep-every-charge") { sql in
            // An attempt remembers what it sent to Stripe, so it can be replayed under its idempotency key.
            try await sql.alter(table: PaymentAttempt.table)
                .column("amount", type: .bigint, .notNull, .default(0))
                .run()
            try await sql.alter(table: PaymentAttempt.table)
                .column("currency", type: .text, .notNull, .default(""))
                .run()
            // A charge that lands on an order another charge already paid must be kept (to be refunded), so
            // the order is unique among paying charges only, and a Stripe charge is recorded once.
            try await sql.create(table: "payments_v3")
                .column("id", type: .text, .primaryKey(autoIncrement: false))
                .column("order_id", type: .text, .notNull)
                .column("stripe_id", type: .text, .notNull, .unique)
                .column("amount", type: .bigint, .notNull)
                .column("currency", type: .text, .notNull)
                .column("status", type: .text, .notNull)
                .column("refund_id", type: .text)
                .column("created_at", type: .bigint, .notNull)
                .run()
            try await sql.raw(
                """
                INSERT INTO payments_v3 (id, order_id, stripe_id, amount, currency, status, refund_id, created_at)
                SELECT id, order_id, stripe_id, amount, currency, status, refund_id, created_at FROM payments
                """
            ).run()
            try await sql.drop(table: PaymentRecord.table).run()
            try await sql.raw("ALTER TABLE payments_v3 RENAME TO payments").run()
            try await sql.raw(onePaymentPerOrder).run()
        },
        Migration("004-early-cancellations") { sql in
            try await sql.create(table: EarlyCancellations.table)
                .column("order_id", type: .text, .primaryKey(autoIncrement: false))
                .column("version", type: .bigint, .notNull)
                .column("recorded_at", type: .bigint, .notNull)
                .run()
        },
    ]
}
