import Foundation
import FunctionTesting
import Testing
import Web

/// What assistive technology relies on, in the HTML itself: a skip link to the main landmark, a countdown
/// that does not talk every second, and field errors tied to their fields.
@Suite struct AccessiblePageTests {
    /// Every `aria-describedby` on a field in `body` that is marked invalid, and whether the element it
    /// points at exists.
    static func describedErrors(in body: String) -> [(id: String, exists: Bool)] {
        body.components(separatedBy: #"aria-invalid="true" aria-describedby=""#).dropFirst().map { rest in
            let id = String(rest.prefix { $0 != "\"" })
            return (id, body.contains(#"id="\#(id)""#))
        }
    }

    @Test func everyPageHasASkipLinkToItsMainLandmark() async throws {
        try await Browser.marketplace { harness in
            let browser = Browser(harness)
            for path in ["/", "/signin", "/signup", "/not-found"] {
                let page = try await browser.get(path)
                #expect(page.body.contains(##"<a class="skip-link" href="#main">Skip to content</a>"##), "\(path)")
                #expect(page.body.contains(#"<main id="main""#), "\(path)")
            }
        }
    }

    @Test func theCountdownIsATimerThatDoesNotAnnounceEverySecond() async throws {
        try await Browser.marketplace { harness in
            let seller = Browser(harness)
            try await seller.signUp("sam@example.com")
            let ticket = try #require(try await seller.post("/sell", ["title": "Opera", "price": "10"]).location)
            try await harness.settle()
            let buyer = Browser(harness)
            try await buyer.signUp("bea@example.com")
            let order = try #require(try await buyer.post(ticket + "/purchase").location)
            try await harness.settle()
            let page = try await buyer.get(order).body
            let countdown = try #require(Self.tag(withID: "countdown", in: page))
            #expect(countdown.contains(#"role="timer""#))
            #expect(countdown.contains(#"aria-live="off""#))
            #expect(countdown.contains(#"aria-atomic="true""#))
            let announcement = try #require(Self.tag(withID: "countdown-announcement", in: page))
            #expect(announcement.contains(#"role="status""#) && announcement.contains("visually-hidden"))

            let declined = try await buyer.post(order + "/pay", ["token": "tok_chargeDeclined"]).body
            let errors = Self.describedErrors(in: declined)
            #expect(errors.count == 3, "each of the three card choices is marked and described")
            #expect(errors.allSatisfy { $0.id == "token-error" && $0.exists })
        }
    }

    @Test func fieldErrorsOnEveryFormAreTiedToTheirFields() async throws {
        try await Browser.marketplace { harness in
            let browser = Browser(harness)
            _ = try await browser.get("/signup")
            let signUp = try await browser.post("/signup", ["email": "nope", "password": "x"]).body
            #expect(Set(Self.describedErrors(in: signUp).map { $0.id }) == ["email-error", "password-error"])
            #expect(Self.describedErrors(in: signUp).allSatisfy { $0.exists })
            let signIn = try await browser.post("/signin", ["email": "nope", "password": ""]).body
            #expect(Self.describedErrors(in: signIn).map { $0.id }.contains("email-error"))
            #expect(Self.describedErrors(in: signIn).allSatisfy { $0.exists })

            try await browser.signUp("sam@example.com")
            let sell = try await browser.post("/sell", ["title": "", "price": "-1"]).body
            #expect(Set(Self.describedErrors(in: sell).map { $0.id }) == ["title-error", "price-error"])
            #expect(Self.describedErrors(in: sell).allSatisfy { $0.exists })

            let ticket = try #require(try await browser.post("/sell", ["title": "Show", "price": "5"]).location)
            let id = String(ticket.dropFirst("/tickets/".count))
            let edit = try await browser.post("/mytickets/\(id)", ["title": "", "price": "0"]).body
            #expect(Set(Self.describedErrors(in: edit).map { $0.id }) == ["title-\(id)-error", "price-\(id)-error"])
            #expect(Self.describedErrors(in: edit).allSatisfy { $0.exists })
        }
    }

    @Test func aBrowserGetsTheSitesNotFoundPage() async throws {
        try await Browser.marketplace { harness in
            let browser = Browser(harness)
            for path in ["/nope", "/favicon.ico", "/not-found"] {
                let page = try await browser.get(path)
                #expect(page.status == 404, "\(path)")
                #expect(page.headers["content-type"] == "text/html; charset=utf-8")
                #expect(page.body.contains("<h1>Page not found</h1>"))
                #expect(page.headers["content-security-policy"]?.contains("default-src 'self'") == true)
            }
            #expect(try await browser.get("/api/nope").status == 404)
            #expect(try await browser.get("/api/nope").body.isEmpty, "the API's paths are not the page's")
        }
    }

    /// The opening tag of the element with `id`.
    static func tag(withID id: String, in body: String) -> String? {
        guard let range = body.range(of: #"id="\#(id)""#),
            let start = body[..<range.lowerBound].lastIndex(of: "<"),
            let end = body[range.upperBound...].firstIndex(of: ">")
        else { return nil }
        return String(body[start...end])
    }
}
