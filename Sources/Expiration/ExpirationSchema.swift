import FunctionKit
import SQLKit

/// The expiration service's tables (besides the timers every service has).
enum ExpirationSchema {
    static let migrations: [Migration] = [
        Migration("001-create-cancelled-orders") { sql in
            try await sql.create(table: CancelledOrders.table)
                .column("order_id", type: .text, .primaryKey(autoIncrement: false))
                .column("cancelled_at", type: .bigint, .notNull)
                .run()
        },
        Migration("002-create-payment-windows") { sql in
            try await sql.create(table: PaymentWindows.table)
                .column("order_id", type: .text, .primaryKey(autoIncrement: false))
                .column("opened_at", type: .bigint, .notNull)
                .column("closed_at", type: .bigint)
                .run()
        },
    ]
}
