import Contracts
import Foundation
import FunctionKit

/// `expiration-on-order-created`: schedules `expiration-fire` for the order at its `expiresAt`, keyed by the
/// order id, and opens its payment window (``PaymentWindows``). An order already cancelled (its
/// `order:cancelled` came first) gets no timer.
public struct ScheduleExpiry: EventFunction {
    /// Creates the function.
    public init() {}

    public func handle(_ payload: OrderCreated, event: CloudEvent, context: FunctionContext) async throws {
        guard let expiresAt = Date.parseISO8601(payload.expiresAt) else {
            throw FunctionError.invalidEvent(
                "event \(event.id): expiresAt '\(payload.expiresAt)' is not an ISO 8601 timestamp")
        }
        try await context.transaction { transaction in
            if try await CancelledOrders.contains(payload.id, in: transaction.sql) {
                context.logger.info("order was cancelled before it was scheduled", metadata: ["order": "\(payload.id)"])
                return
            }
            try await PaymentWindows.open(payload.id, at: transaction.now.epochMilliseconds, in: transaction.sql)
            try await transaction.schedule(
                ExpirationService.fireFunction, payload: OrderExpiry(orderId: payload.id), at: expiresAt,
                key: payload.id)
        }
    }
}
