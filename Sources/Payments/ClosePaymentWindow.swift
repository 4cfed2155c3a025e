import Contracts
import FunctionKit
import SQLKit

/// `payments-on-expiration-due`: an order's payment window ran out; unless the order is paid, closes it and
/// answers `payment:expired`, upon which the expiration service publishes `expiration:complete` and orders
/// cancels the order.
///
/// Payments decides because only payments knows, in one transaction, whether a charge has paid the order:
/// the order's copy is locked as ``PaymentLedger/settle(_:of:in:)`` locks it, so a charge recorded first
/// keeps the order (no answer: its `payment:created` completes it), and a charge recorded after the window
/// closed finds the copy cancelled and is refunded. Either way a paid order is never cancelled.
///
/// - An order already cancelled needs no answer: orders cancelled it itself.
/// - An order payments has not heard of yet cannot have been paid: it is remembered cancelled
///   (``EarlyCancellations``) and answered at once.
public struct ClosePaymentWindow: EventFunction {
    /// Creates the function.
    public init() {}

    public func handle(_ payload: ExpirationDue, event: CloudEvent, context: FunctionContext) async throws {
        try await context.transaction { transaction in
            guard let order = try await OrderReplica.find(id: payload.orderId, in: transaction.sql, locking: true)
            else {
                try await EarlyCancellations.record(
                    payload.orderId, version: 0, at: transaction.now.epochMilliseconds, in: transaction.sql)
                try await transaction.publish(PaymentExpired(orderId: payload.orderId))
                return
            }
            guard order.status != .cancelled else { return }
            if try await PaymentRecord.paid(orderID: order.id, in: transaction.sql) != nil {
                context.logger.debug("a paid order's window ran out; it stays paid", metadata: ["order": "\(order.id)"])
                return
            }
            try await transaction.sql.update(OrderReplica.table)
                .set("status", to: OrderStatus.cancelled.rawValue)
                .where("id", .equal, order.id)
                .run()
            try await transaction.publish(PaymentExpired(orderId: order.id))
        }
    }
}
