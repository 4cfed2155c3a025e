import Auth
import Expiration
import Foundation
import FunctionKit
import Orders
import Payments
import Stripe
import Tickets

/// The one place where the services are wired into the runtime.
enum Services {
    /// How the services are configured (from the environment; see ``Settings``).
    struct Configuration {
        /// Seconds an order locks its ticket.
        var expirationWindow: TimeInterval = OrdersService.defaultExpirationWindow
        /// The Stripe client payments charge through.
        var stripe: any StripeClient = MockStripeClient()
        /// What the Stripe client is, for the start-up log.
        var stripeDescription = "Stripe: mock"
        /// The currency orders are charged in.
        var currency = PaymentsService.defaultCurrency

        /// The configuration `environment` describes; a malformed setting stops with one line naming it.
        static func from(_ environment: [String: String]) throws -> Configuration {
            let stripe: (client: any StripeClient, description: String)
            do {
                stripe = try StripeConfiguration.client(environment: environment)
            } catch {
                throw CommandError("\(error)")
            }
            return Configuration(
                expirationWindow: try Settings.expirationWindow(environment), stripe: stripe.client,
                stripeDescription: stripe.description, currency: try Settings.paymentCurrency(environment))
        }
    }

    /// Every compiled service, configured.
    static func all(_ configuration: Configuration = Configuration()) -> [ServiceDefinition] {
        [
            AuthService.definition(), TicketsService.definition(),
            OrdersService.definition(expirationWindow: configuration.expirationWindow), ExpirationService.definition(),
            PaymentsService.definition(stripe: configuration.stripe, currency: configuration.currency),
        ]
    }
}
