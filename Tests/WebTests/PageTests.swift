import Foundation
import FunctionKit
import FunctionTesting
import Testing
import Web

/// The pages, in-process: each request routed to its page function as the gateway would, each page calling
/// the real API functions, a test clock for expiry.
@Suite struct PageTests {
    @Test func aSellerListsATicketAndABuyerFindsItBuysItAndPays() async throws {
        try await Browser.marketplace { harness in
            let seller = Browser(harness)
            try await seller.signUp("sam@example.com")
            let listed = try await seller.post("/sell", ["title": "Jazz Night", "price": "42.5"])
            #expect(listed.status == 303)
            let ticketPath = try #require(listed.location)
            #expect(ticketPath.hasPrefix("/tickets/"))
            try await harness.settle()

            let own = try await seller.post(ticketPath + "/purchase")
            #expect(own.status == 400)
            #expect(own.body.contains(#"role="alert""#) && own.body.contains("Cannot order your own ticket"))

            let buyer = Browser(harness)
            try await buyer.signUp("bea@example.com")
            let found = try await buyer.get("/?title=jazz")
            #expect(found.body.contains("Jazz Night"))
            #expect(found.body.contains("$42.50"))
            #expect(try await buyer.get("/?title=opera").body.contains("No tickets match"))
            let ticket = try await buyer.get(ticketPath)
            #expect(ticket.body.contains(#"action="\#(ticketPath)/purchase""#))

            let ordered = try await buyer.post(ticketPath + "/purchase")
            #expect(ordered.status == 303)
            let orderPath = try #require(ordered.location)
            try await harness.settle()
            let order = try await buyer.get(orderPath)
            #expect(order.body.contains(#"id="countdown""#))
            #expect(order.body.contains("data-expires-at="))
            #expect(order.body.contains("15:00"))
            #expect(order.body.contains(#"value="tok_visa""#))

            let declined = try await buyer.post(orderPath + "/pay", ["token": "tok_chargeDeclined"])
            #expect(declined.status == 402)
            #expect(declined.body.contains(#"id="token-error""#))
            #expect(declined.body.contains("Your card was declined."))
            #expect(declined.body.contains(#"id="pay-form""#), "the order stays payable")

            let paid = try await buyer.post(orderPath + "/pay", ["token": "tok_visa"])
            #expect(paid.status == 303)
            let confirming = try await buyer.get(try #require(paid.location))
            #expect(confirming.body.contains("Payment received"))
            #expect(!confirming.body.contains(#"id="pay-form""#), "no second payment while the first completes")
            try await harness.settle()
            let complete = try await buyer.get(orderPath)
            #expect(complete.body.contains("Paid — the ticket is yours."))
            #expect(!complete.body.contains(#"id="pay-form""#))
            #expect(try await buyer.get("/orders").body.contains("Complete"))
        }
    }

    @Test func anUnpaidOrderShowsExpiredOnceItsTimeHasPassed() async throws {
        try await Browser.marketplace { harness in
            let seller = Browser(harness)
            try await seller.signUp("sam@example.com")
            let ticketPath = try #require(try await seller.post("/sell", ["title": "Opera", "price": "10"]).location)
            try await harness.settle()
            let buyer = Browser(harness)
            try await buyer.signUp("bea@example.com")
            let orderPath = try #require(try await buyer.post(ticketPath + "/purchase").location)
            try await harness.settle()
            harness.clock.advance(by: 14 * 60)
            #expect(try await buyer.get(orderPath).body.contains("1:00"))
            try await harness.advance(by: 61)
            let expired = try await buyer.get(orderPath)
            #expect(expired.body.contains("Cancelled") || expired.body.contains("Order expired"))
            #expect(!expired.body.contains(#"id="pay-form""#))
            // The ticket is for sale again.
            #expect(try await buyer.get("/").body.contains("Opera"))
        }
    }

    @Test func titlesAreEscapedNeverRun() async throws {
        try await Browser.marketplace { harness in
            let seller = Browser(harness)
            try await seller.signUp("sam@example.com")
            let path = try #require(
                try await seller.post("/sell", ["title": "<script>alert(1)</script>", "price": "5"]).location)
            for page in [try await seller.get("/"), try await seller.get(path), try await seller.get("/mytickets")] {
                #expect(page.body.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
                #expect(!page.body.contains("<script>alert(1)"))
            }
            let search = try await seller.get("/?title=%22%3E%3Cscript%3E")
            #expect(!search.body.contains("\"><script>"))
        }
    }

    @Test func aFormWithoutThisBrowsersTokenIsRefused() async throws {
        try await Browser.marketplace { harness in
            let browser = Browser(harness)
            try await browser.signUp("sam@example.com")
            let forged = try await browser.post("/sell", ["title": "Forged", "price": "5"], csrf: "not-the-token")
            #expect(forged.status == 403)
            #expect(forged.body.contains("This form has expired"))
            let noCookie = Browser(harness)
            #expect(
                try await noCookie.post("/signin", ["email": "sam@example.com", "password": "correct horse"]).status
                    == 403)
            #expect(try await browser.get("/").body.contains("Forged") == false)
        }
    }

    @Test func apiErrorsAppearNextToTheirFields() async throws {
        try await Browser.marketplace { harness in
            let browser = Browser(harness)
            _ = try await browser.get("/signup")
            let bad = try await browser.post("/signup", ["email": "not-an-email", "password": "correct horse"])
            #expect(bad.status == 400)
            #expect(bad.body.contains(#"id="email-error""#))
            #expect(bad.body.contains(#"aria-invalid="true" aria-describedby="email-error""#))
            try await browser.signUp("sam@example.com")
            let price = try await browser.post("/sell", ["title": "Show", "price": "-3"])
            #expect(price.status == 400)
            #expect(price.body.contains(#"id="price-error""#))
            #expect(price.body.contains(#"value="Show""#), "what was typed is kept")
        }
    }

    @Test func pagesNeedASignInAndComeBackAfterIt() async throws {
        try await Browser.marketplace { harness in
            let browser = Browser(harness)
            let sell = try await browser.get("/sell")
            #expect(sell.status == 303)
            #expect(sell.location == "/signin?next=%2Fsell")
            _ = try await browser.get("/signin?next=/sell")
            try await browser.signUp("sam@example.com")
            _ = try await browser.post("/signout")
            let signedIn = try await browser.post(
                "/signin", ["email": "sam@example.com", "password": "correct horse", "next": "/sell"])
            #expect(signedIn.location == "/sell")
            let offsite = try await browser.post(
                "/signin", ["email": "sam@example.com", "password": "correct horse", "next": "//evil.example"])
            #expect(offsite.location == "/")
        }
    }

    @Test func everyPageSendsAContentSecurityPolicy() async throws {
        try await Browser.marketplace { harness in
            let page = try await Browser(harness).get("/")
            let policy = try #require(page.headers["content-security-policy"])
            #expect(policy.contains("script-src 'self'"))
            #expect(policy.contains("frame-ancestors 'none'"))
            #expect(!policy.contains("unsafe-inline"))
            #expect(page.headers["content-type"] == "text/html; charset=utf-8")
            let withStripe = try await Browser.marketplaceHeaders(cards: .stripeJS(publishableKey: "pk_test_123"))
            #expect(withStripe["content-security-policy"]?.contains("https://js.stripe.com") == true)
        }
    }

    @Test func searchResultsComeAPageAtATime() async throws {
        try await Browser.marketplace { harness in
            let seller = Browser(harness)
            try await seller.signUp("sam@example.com")
            for index in 0..<13 {
                _ = try await seller.post("/sell", ["title": "Show \(index)", "price": "10"])
            }
            let first = try await seller.get("/")
            #expect(first.body.components(separatedBy: #"class="card ticket""#).count - 1 == 12)
            let next = try #require(Self.nextLink(in: first.body))
            let second = try await seller.get(next)
            #expect(second.body.components(separatedBy: #"class="card ticket""#).count - 1 == 1)
            #expect(second.body.contains("Show 12"))
        }
    }

    @Test func assetsAreServedWithTheirTypes() async throws {
        try await Browser.marketplace { harness in
            let browser = Browser(harness)
            let css = try await browser.get("/assets/app.css")
            #expect(css.status == 200)
            #expect(css.headers["content-type"] == "text/css; charset=utf-8")
            #expect(try await browser.get("/assets/app.js").body.contains("startCountdown"))
            #expect(try await browser.get("/assets/nothing.js").status == 404)
        }
    }

    static func nextLink(in body: String) -> String? {
        guard let range = body.range(of: #"rel="next" href=""#) else { return nil }
        let rest = body[range.upperBound...]
        return String(rest.prefix { $0 != "\"" }).replacingOccurrences(of: "&amp;", with: "&")
    }
}

extension Browser {
    /// The headers of the home page when cards are taken through `cards`.
    static func marketplaceHeaders(cards: CardEntry) async throws -> [String: String] {
        var headers: [String: String] = [:]
        try await marketplace(cards: cards) { harness in
            headers = try await Browser(harness).get("/").headers
        }
        return headers
    }
}
