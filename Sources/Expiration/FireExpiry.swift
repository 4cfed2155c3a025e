import Contracts
import FunctionKit

/// `expiration-fire`: invoked by the scheduler at an order's `expiresAt`; publishes `expiration:complete`
/// once payments has closed the order's payment window.
///
/// - A window still open is put to payments first (`expiration:due`); its answer, `payment:expired`, fires
///   this function again (``ConfirmExpiry``). A paid order gets no answer, so it never expires.
/// - A window payments closed, or one this service never opened (a timer set before windows were kept, a
///   firing invoked by hand), publishes `expiration:complete`.
/// - An order cancelled meanwhile (its timer was already on its way) publishes nothing.
public struct FireExpiry: ScheduledFunction {
    /// Creates the function.
    public init() {}

    public func handle(_ payload: OrderExpiry, event: CloudEvent, context: FunctionContext) async throws {
        try await context.transaction { transaction in
            if try await CancelledOrders.contains(payload.orderId, in: transaction.sql) { return }
            switch try await PaymentWindows.state(of: payload.orderId, in: transaction.sql) {
            case .open:
                try await transaction.publish(ExpirationDue(orderId: payload.orderId))
            case .closed, .unknown:
                try await transaction.publish(ExpirationComplete(orderId: payload.orderId))
            }
        }
    }
}
