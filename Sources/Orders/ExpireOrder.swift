import Contracts
import FunctionKit

/// `orders-on-expiration-complete`: cancels an order whose payment window ran out, unless it is complete or
/// already cancelled, and publishes `order:cancelled` (never twice for one order).
public struct ExpireOrder: EventFunction {
    /// Creates the function.
    public init() {}

    public func handle(_ payload: ExpirationComplete, event: CloudEvent, context: FunctionContext) async throws {
        try await context.transaction { transaction in
            if let cancelled = try await OrderRecord.transition(
                payload.orderId, from: [.created, .awaitingPayment], to: .cancelled, in: transaction.sql)
            {
                try await transaction.publish(cancelled.cancelledEvent)
                return
            }
            guard let order = try await OrderRecord.find(id: payload.orderId, in: transaction.sql) else {
                // Orders placed every order itself, so this does not resolve by waiting (deferring it would
                // hold up every expiry after it): once its attempts are used up it goes to the dead letters,
                // where an operator sees it.
                throw FunctionError.unknownReference("expiration of unknown order \(payload.orderId)")
            }
            context.logger.debug(
                "expiry ignored", metadata: ["order": "\(order.id)", "status": "\(order.status.rawValue)"])
        }
    }
}
