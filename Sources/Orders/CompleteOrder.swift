import Contracts
import FunctionKit

/// `orders-on-payment-created`: marks a paid order `complete`, raising its version by one.
///
/// A payment for an order orders has not stored is retried later. A complete order stays as it is. A
/// cancelled order is not revived (its ticket may be another buyer's by now): the payments service refunds
/// a charge that lands on an order that is no longer payable.
public struct CompleteOrder: EventFunction {
    /// Creates the function.
    public init() {}

    public func handle(_ payload: PaymentCreated, event: CloudEvent, context: FunctionContext) async throws {
        try await context.transaction { transaction in
            if try await OrderRecord.transition(
                payload.orderId, from: [.created, .awaitingPayment], to: .complete, in: transaction.sql) != nil
            {
                return
            }
            guard let order = try await OrderRecord.find(id: payload.orderId, in: transaction.sql) else {
                // Payments knows only orders that orders published: waiting cannot bring this one.
                throw FunctionError.unknownReference("payment \(payload.id) for unknown order \(payload.orderId)")
            }
            if order.status == .cancelled {
                context.logger.warning(
                    "payment for a cancelled order left it cancelled",
                    metadata: ["order": "\(order.id)", "payment": "\(payload.id)"])
            }
        }
    }
}
