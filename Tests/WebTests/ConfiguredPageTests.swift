import Foundation
import FunctionTesting
import Testing
import Web

/// The pages put the marketplace's configuration into words: prices in `PAYMENT_CURRENCY`, the hold in
/// `EXPIRATION_WINDOW_SECONDS`.
@Suite struct ConfiguredPageTests {
    /// Lists a ticket as one user and orders it as another; returns the ticket's and the order's paths.
    private func listAndOrder(_ harness: TestHarness, price: String) async throws -> (
        seller: Browser, buyer: Browser, ticket: String, order: String
    ) {
        let seller = Browser(harness)
        try await seller.signUp("sam@example.com")
        let ticket = try #require(try await seller.post("/sell", ["title": "Jazz Night", "price": price]).location)
        try await harness.settle()
        let buyer = Browser(harness)
        try await buyer.signUp("bea@example.com")
        let order = try #require(try await buyer.post(ticket + "/purchase").location)
        try await harness.settle()
        return (seller, buyer, ticket, order)
    }

    @Test func pricesAndTheHoldFollowTheConfiguration() async throws {
        try await Browser.marketplace(currency: "eur", expirationWindow: 120) { harness in
            let (seller, buyer, _, order) = try await listAndOrder(harness, price: "1500.5")
            #expect(try await seller.get("/sell").body.contains("Price (EUR)"))
            let page = try await buyer.get(order)
            #expect(page.body.contains("€1,500.50") && !page.body.contains("$"))
            #expect(page.body.contains("Pay €1,500.50"))
            #expect(page.body.contains("2:00"), "the countdown starts at the window")
            #expect(try await buyer.get("/orders").body.contains("€1,500.50"))
            let other = Browser(harness)
            try await other.signUp("olu@example.com")
            _ = try await seller.post("/sell", ["title": "Opera", "price": "€12"])
            try await harness.settle()
            let home = try await other.get("/?title=opera")
            #expect(home.body.contains("€12.00"), "a price typed with the euro sign is taken")
            let shown = try await other.get(try #require(Self.firstTicketLink(in: home.body)))
            #expect(shown.body.contains("holds the ticket for you for 2 minutes while you pay"))
            #expect(!shown.body.contains("15 minutes"))
            let mine = try await seller.get("/mytickets")
            #expect(mine.body.contains("Price (EUR)") && !mine.body.contains("USD"))
            #expect(mine.body.contains("€1,500.50"), "the sale is listed in euros")
        }
    }

    @Test func aZeroDecimalCurrencyShowsNoCents() async throws {
        try await Browser.marketplace(currency: "jpy", expirationWindow: 90) { harness in
            let (_, buyer, _, order) = try await listAndOrder(harness, price: "1500")
            let page = try await buyer.get(order)
            #expect(page.body.contains("¥1,500") && !page.body.contains("¥1,500.00"))
            #expect(page.body.contains("1:30"))
            let other = Browser(harness)
            let seller = Browser(harness)
            try await seller.signUp("sid@example.com")
            let ticket = try #require(try await seller.post("/sell", ["title": "Noh", "price": "800"]).location)
            try await other.signUp("oda@example.com")
            let shown = try await other.get(ticket)
            #expect(shown.body.contains("for 90 seconds while you pay"))
            #expect(try await seller.get("/sell").body.contains("Price (JPY)"))
        }
    }

    @Test func theDefaultsAreDollarsAndFifteenMinutes() async throws {
        try await Browser.marketplace { harness in
            let (seller, buyer, _, _) = try await listAndOrder(harness, price: "42.5")
            #expect(try await seller.get("/sell").body.contains("Price (USD)"))
            #expect(try await buyer.get("/orders").body.contains("$42.50"))
            let viewer = Browser(harness)
            try await viewer.signUp("vi@example.com")
            let other = try #require(try await seller.post("/sell", ["title": "Ballet", "price": "$1,200"]).location)
            let page = try await viewer.get(other)
            #expect(page.body.contains("$1,200.00"))
            #expect(page.body.contains("for 15 minutes while you pay"))
        }
    }

    @Test func holdTimesReadAsPeopleSayThem() {
        let api = MarketplaceAPI()
        let words = [
            900.0: "15 minutes", 120: "2 minutes", 60: "1 minute", 90: "90 seconds", 1: "1 second",
            3600: "1 hour", 7200: "2 hours", 5400: "90 minutes",
        ]
        for (seconds, text) in words {
            #expect(WebSettings(api: api, cards: .testCards, expirationWindow: seconds).holdTime == text)
        }
        #expect(Money(currency: "gbp").format(9.99) == "£9.99")
        #expect(Money(currency: "USD").format(25.5) == "$25.50")
    }

    static func firstTicketLink(in body: String) -> String? {
        guard let range = body.range(of: #"<h2><a href=""#) else { return nil }
        return String(body[range.upperBound...].prefix { $0 != "\"" })
    }
}
