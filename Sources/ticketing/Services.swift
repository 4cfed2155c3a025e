import Auth
import Expiration
import Foundation
import FunctionKit
import Orders
import Payments
import Stripe
import Tickets
import Web

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
        /// Where the pages send their API calls; bound once the runtime exists (``LocalProject``).
        var api = MarketplaceAPI()
        /// How the pay form takes cards.
        var cards = CardEntry.testCards

        /// The configuration `environment` describes; a malformed setting stops with one line naming it.
        static func from(_ environment: [String: String]) throws -> Configuration {
            let stripe: (client: any StripeClient, description: String)
            do {
                stripe = try StripeConfiguration.client(environment: environment)
            } catch {
                throw CommandError("\(error)")
            }
            // Stripe.js needs the live client behind it: with the mock, the form offers the test cards.
            let publishable = environment["STRIPE_PUBLISHABLE_KEY"].flatMap { $0.isEmpty ? nil : $0 }
            let cards: CardEntry =
                if let publishable, !(stripe.client is MockStripeClient) {
                    .stripeJS(publishableKey: publishable)
                } else {
                    .testCards
                }
            return Configuration(
                expirationWindow: try Settings.expirationWindow(environment), stripe: stripe.client,
                stripeDescription: stripe.description, currency: try Settings.paymentCurrency(environment),
                cards: cards)
        }
    }

    /// Every compiled service, configured.
    static func all(_ configuration: Configuration = Configuration()) -> [ServiceDefinition] {
        [
            AuthService.definition(), TicketsService.definition(),
            OrdersService.definition(expirationWindow: configuration.expirationWindow), ExpirationService.definition(),
            PaymentsService.definition(stripe: configuration.stripe, currency: configuration.currency),
            WebService.definition(
                settings: WebSettings(
                    api: configuration.api, cards: configuration.cards, currency: configuration.currency,
                    expirationWindow: configuration.expirationWindow)),
        ]
    }

    /// The HTML functions (pages), which the OpenAPI document leaves out.
    static var pages: Set<String> {
        Set(all().flatMap(\.functions).filter(\.handler.answersHTML).map(\.name))
    }
}
