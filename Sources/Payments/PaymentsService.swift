import FunctionKit
import Stripe

/// The payments service: charges buyers through Stripe and tells orders when an order is paid.
public enum PaymentsService {
    /// The service's name and database.
    public static let name = "payments"
    /// The currency charged when `PAYMENT_CURRENCY` is not set.
    public static let defaultCurrency = "usd"

    /// The service, charging through `stripe` in `currency`.
    public static func definition(stripe: any StripeClient, currency: String = defaultCurrency) -> ServiceDefinition {
        ServiceDefinition(
            name: name,
            migrations: PaymentsSchema.migrations,
            functions: [
                FunctionDefinition("payments-create", http: CreatePayment(stripe: stripe, currency: currency)),
                FunctionDefinition("payments-on-order-created", subscription: ReplicateNewOrder()),
                FunctionDefinition("payments-on-order-cancelled", subscription: ReplicateCancelledOrder()),
                FunctionDefinition("payments-on-expiration-due", subscription: ClosePaymentWindow()),
                FunctionDefinition("payments-refund", schedule: RefundPayment(stripe: stripe)),
                FunctionDefinition(ReconcilePayment.name, schedule: ReconcilePayment(stripe: stripe)),
            ])
    }
}
