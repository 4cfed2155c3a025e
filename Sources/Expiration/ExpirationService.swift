import FunctionKit

/// The expiration service: one timer per live order, firing at the order's `expiresAt` unless the order is
/// cancelled first, and publishing `expiration:complete` once payments has closed the order's payment window
/// unpaid (see ``FireExpiry``).
public enum ExpirationService {
    /// The service's name and database.
    public static let name = "expiration"
    /// The schedule target that fires an order's expiry.
    public static let fireFunction = "expiration-fire"

    /// The service with its functions.
    public static func definition() -> ServiceDefinition {
        ServiceDefinition(
            name: name,
            migrations: ExpirationSchema.migrations,
            functions: [
                FunctionDefinition("expiration-on-order-created", subscription: ScheduleExpiry()),
                FunctionDefinition("expiration-on-order-cancelled", subscription: CancelExpiry()),
                FunctionDefinition("expiration-on-payment-expired", subscription: ConfirmExpiry()),
                FunctionDefinition(fireFunction, schedule: FireExpiry()),
            ])
    }
}
