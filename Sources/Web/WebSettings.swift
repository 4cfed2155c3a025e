import Foundation

/// How the pay form takes a card.
public enum CardEntry: Sendable, Equatable {
    /// Stripe's test cards, offered by name and sent as their test tokens (the mock Stripe client).
    case testCards
    /// Stripe.js with this publishable key creates a PaymentMethod in the browser.
    case stripeJS(publishableKey: String)
}

/// What every page shares: the API it calls, how it takes cards, and the marketplace's configuration that
/// the pages put into words (the currency prices are in, how long an order holds its ticket).
public struct WebSettings: Sendable {
    /// The marketplace API.
    public let api: MarketplaceAPI
    /// How the pay form takes a card.
    public let cards: CardEntry
    /// The currency prices are shown in (`PAYMENT_CURRENCY`, the one orders are charged in).
    public let money: Money
    /// Seconds an order holds its ticket (`EXPIRATION_WINDOW_SECONDS`, the window orders use).
    public let expirationWindow: TimeInterval

    /// Creates the settings; `currency` is an ISO 4217 code such as `usd` (any case).
    public init(
        api: MarketplaceAPI, cards: CardEntry, currency: String = "usd", expirationWindow: TimeInterval = 900
    ) {
        self.api = api
        self.cards = cards
        self.money = Money(currency: currency)
        self.expirationWindow = expirationWindow
    }

    /// How long an order holds its ticket, in words: "15 minutes", "2 minutes", "90 seconds", "1 hour".
    public var holdTime: String {
        let seconds = max(1, Int(expirationWindow.rounded()))
        func words(_ count: Int, _ unit: String) -> String { "\(count) \(unit)\(count == 1 ? "" : "s")" }
        if seconds % 3600 == 0 { return words(seconds / 3600, "hour") }
        if seconds % 60 == 0 { return words(seconds / 60, "minute") }
        return words(seconds, "second")
    }
}
