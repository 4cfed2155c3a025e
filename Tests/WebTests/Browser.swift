import Auth
import Expiration
import Foundation
import FunctionKit
import FunctionTesting
import Orders
import Payments
import Runtime
import Stripe
import Tickets
import Web

/// A browser for in-process page tests: it keeps its cookies, follows nothing on its own, and posts forms
/// with the CSRF token its cookie holds, as the pages' own forms do.
final class Browser: @unchecked Sendable {
    struct Page {
        var status: Int
        var body: String
        var headers: [String: String]
        var location: String? { headers["location"] }
    }

    let harness: TestHarness
    private(set) var cookies: [String: String] = [:]

    init(_ harness: TestHarness) {
        self.harness = harness
    }

    /// The whole marketplace with its pages, the API bound to the harness's own functions.
    /// `currency` and `expirationWindow` configure orders, payments and the pages alike, as `Services` does.
    static func marketplace(
        cards: CardEntry = .testCards, currency: String = "usd", expirationWindow: TimeInterval = 900,
        _ body: (TestHarness) async throws -> Void
    ) async throws {
        let api = MarketplaceAPI()
        let settings = WebSettings(api: api, cards: cards, currency: currency, expirationWindow: expirationWindow)
        let services = [
            AuthService.definition(), TicketsService.definition(),
            OrdersService.definition(expirationWindow: expirationWindow), ExpirationService.definition(),
            PaymentsService.definition(stripe: MockStripeClient(), currency: currency),
            WebService.definition(settings: settings),
        ]
        try await TestHarness.with(services: services) { harness in
            let invoker = harness.invoker
            api.bind { try await invoker.route($0) }
            try await body(harness)
        }
    }

    /// A page, asked for as a browser navigating asks (`Accept: text/html`).
    func get(_ target: String) async throws -> Page {
        try await send("GET", target, body: nil)
    }

    /// Posts `fields` as a form, with this browser's CSRF token unless `csrf` says otherwise.
    func post(_ target: String, _ fields: [String: String] = [:], csrf: String? = nil) async throws -> Page {
        var all = fields
        all["_csrf"] = csrf ?? cookies["csrf"] ?? ""
        var components = URLComponents()
        components.queryItems = all.sorted { $0.key < $1.key }.map { URLQueryItem(name: $0.key, value: $0.value) }
        return try await send("POST", target, body: components.percentEncodedQuery ?? "")
    }

    /// Signs up through the pages (after a first visit for the CSRF cookie).
    func signUp(_ email: String) async throws {
        _ = try await get("/signup")
        let page = try await post("/signup", ["email": email, "password": "correct horse"])
        guard page.status == 303 else { throw Failure(description: "sign-up answered \(page.status): \(page.body)") }
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    private func send(_ method: String, _ target: String, body: String?) async throws -> Page {
        let parts = target.split(separator: "?", maxSplits: 1).map(String.init)
        let path = parts[0]
        let query = parts.count > 1 ? parts[1] : ""
        var parameters: [String: String] = [:]
        for item in URLComponents(string: "?" + query)?.queryItems ?? [] { parameters[item.name] = item.value ?? "" }
        let accept = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
        let registry = harness.invoker.registry
        // As the gateway routes: a route's function, else the manifest's not-found page for a browser.
        let routed =
            registry.route(method: method, path: path).map { ($0.entry, $0.parameters) }
            ?? registry.notFoundPage(method: method, path: path, accept: accept).map { ($0.entry, [:]) }
        guard let (entry, pathParameters) = routed else { return Page(status: 404, body: "", headers: [:]) }
        var headers = ["accept": accept]
        if body != nil { headers["content-type"] = "application/x-www-form-urlencoded" }
        let request = HTTPRequest(
            method: method, path: path, rawQueryString: query, cookies: cookies.map { "\($0.key)=\($0.value)" },
            headers: headers,
            queryStringParameters: parameters, pathParameters: pathParameters, body: body)
        let response = try await harness.send(entry.name, request).response
        for cookie in response.cookies {
            let pair = cookie.prefix { $0 != ";" }.split(separator: "=", maxSplits: 1).map(String.init)
            guard let name = pair.first else { continue }
            if cookie.contains("Max-Age=0") {
                cookies[name] = nil
            } else {
                cookies[name] = pair.count > 1 ? pair[1] : ""
            }
        }
        return Page(
            status: response.statusCode, body: response.body,
            headers: Dictionary(response.headers.map { ($0.key.lowercased(), $0.value) }) { first, _ in first })
    }
}
