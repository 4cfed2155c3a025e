import Contracts
import FunctionKit
import SQLKit

/// `payments-on-order-cancelled`: marks the order's copy cancelled (only a newer version applies) and, if
/// the order had been charged — a payment that raced its expiry — schedules the refund (`payments-refund`).
///
/// An order payments has not heard of yet is remembered as cancelled (``EarlyCancellations``): its
/// `order:created` is on its way through another subscription, and is stored cancelled when it comes.
public struct ReplicateCancelledOrder: EventFunction {
    /// Creates the function.
    public init() {}

    public func handle(_ payload: OrderCancelled, event: CloudEvent, context: FunctionContext) async throws {
        try await context.transaction { transaction in
            guard let order = try await OrderReplica.find(id: payload.id, in: transaction.sql) else {
                context.logger.info("order cancelled before it reached payments", metadata: ["order": "\(payload.id)"])
                try await EarlyCancellations.record(
                    payload.id, version: payload.version, at: transaction.now.epochMilliseconds, in: transaction.sql)
                return
            }
            guard payload.version > order.version else { return }
            try await transaction.sql.update(OrderReplica.table)
                .set("status", to: OrderStatus.cancelled.rawValue)
                .set("version", to: payload.version)
                .where("id", .equal, payload.id)
                .run()
            guard let payment = try await PaymentRecord.paid(orderID: payload.id, in: transaction.sql) else { return }
            context.logger.warning(
                "a paid order was cancelled; refunding",
                metadata: ["order": "\(payload.id)", "payment": "\(payment.id)"])
            try await RefundPayment.schedule(payment, in: transaction)
        }
    }
}
