import Contracts
import FunctionKit

/// `expiration-fire`: invoked by the scheduler at an order's `expiresAt`; publishes `expiration:complete`.
/// An order cancelled meanwhile (its timer was already on its way) publishes nothing.
public struct FireExpiry: ScheduledFunction {
    /// Creates the function.
    public init() {}

    public func handle(_ payload: OrderExpiry, event: CloudEvent, context: FunctionContext) async throws {
        try await context.transaction { transaction in
            if try await CancelledOrders.contains(payload.orderId, in: transaction.sql) { return }
            try await transaction.publish(ExpirationComplete(orderId: payload.orderId))
        }
    }
}
