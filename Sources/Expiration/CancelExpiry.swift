import Contracts
import FunctionKit

/// `expiration-on-order-cancelled`: withdraws the cancelled order's pending timer, and remembers the order so
/// that a late `order:created` schedules nothing.
public struct CancelExpiry: EventFunction {
    /// Creates the function.
    public init() {}

    public func handle(_ payload: OrderCancelled, event: CloudEvent, context: FunctionContext) async throws {
        try await context.transaction { transaction in
            try await CancelledOrders.record(payload.id, at: transaction.now.epochMilliseconds, in: transaction.sql)
            try await transaction.cancelSchedule(key: payload.id)
        }
    }
}
