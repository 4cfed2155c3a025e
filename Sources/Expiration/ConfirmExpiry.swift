import Contracts
import FunctionKit

/// `expiration-on-payment-expired`: payments closed the order's payment window with the order unpaid, so the
/// order may now expire: records the window closed and fires `expiration-fire` for it at once, which
/// publishes `expiration:complete`. An order cancelled meanwhile is left alone.
public struct ConfirmExpiry: EventFunction {
    /// Creates the function.
    public init() {}

    public func handle(_ payload: PaymentExpired, event: CloudEvent, context: FunctionContext) async throws {
        try await context.transaction { transaction in
            if try await CancelledOrders.contains(payload.orderId, in: transaction.sql) { return }
            try await PaymentWindows.close(payload.orderId, at: transaction.now.epochMilliseconds, in: transaction.sql)
            try await transaction.schedule(
                ExpirationService.fireFunction, payload: OrderExpiry(orderId: payload.orderId), at: transaction.now,
                key: payload.orderId)
        }
    }
}
