import Foundation
import FunctionKit

/// One request to a page: the browser's session and CSRF token, and the answers pages give.
struct Visit {
    let request: HTTPRequest
    let context: FunctionContext
    let settings: WebSettings
    let csrf: CSRF

    init(_ request: HTTPRequest, context: FunctionContext, settings: WebSettings) {
        self.request = request
        self.context = context
        self.settings = settings
        csrf = CSRF(request, secure: context.sessions.secureCookies)
    }

    /// The signed-in user, if any.
    var session: Session? { context.session }

    /// Calls the API as this browser (its cookies go along).
    func api(
        _ method: String, _ path: String, query: [String: String] = [:], body: [String: JSONValue]? = nil
    ) async throws -> APIReply {
        try await settings.api.call(method, path, query: query, body: body, cookies: request.cookies)
    }

    /// The posted form, after checking it came from our page in this browser.
    func form() throws -> Form {
        let form = Form(request)
        guard csrf.accepts(form, from: request) else { throw PageRefusal.forgedForm }
        return form
    }

    /// A page: `template` inside the layout, with `data`.
    func page(
        _ template: String, status: Int = 200, title: String, data: [String: Any] = [:], cookies: [String] = []
    ) throws -> HTTPResponse {
        var values = data
        values["csrf"] = csrf.token
        values["pageTitle"] = title
        values["user"] = session.map { ["email": $0.email] as [String: Any] } ?? false
        values["currency"] = settings.money.code
        values["holdTime"] = settings.holdTime
        if case .stripeJS(let key) = settings.cards { values["stripeKey"] = key }
        // Each page template extends `layout` (Mustache inheritance), so no rendered HTML is ever inserted
        // unescaped.
        let html = try Templates.render(template, values)
        var headers = Self.securityHeaders(cards: settings.cards)
        headers["content-type"] = "text/html; charset=utf-8"
        return HTTPResponse(statusCode: status, headers: headers, cookies: cookies + newCookies, body: html)
    }

    /// A page that only says what went wrong, with a way back.
    func problem(_ status: Int, title: String, message: String) throws -> HTTPResponse {
        try page("problem", status: status, title: title, data: ["message": message])
    }

    /// A 303 to `location` (post, then redirect, then get), passing on `cookies`.
    func redirect(to location: String, cookies: [String] = []) -> HTTPResponse {
        var headers = Self.securityHeaders(cards: settings.cards)
        headers["location"] = location
        return HTTPResponse(statusCode: 303, headers: headers, cookies: cookies + newCookies)
    }

    /// The sign-in page, coming back to this page afterwards.
    func signInFirst() -> HTTPResponse {
        redirect(
            to: "/signin?next=" + (request.rawPath.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "/"))
    }

    private var newCookies: [String] { csrf.cookie.map { [$0] } ?? [] }

    /// Headers on every page: a Content-Security-Policy that allows only this origin's scripts and styles
    /// (and Stripe.js when cards are taken through it), no framing, no MIME sniffing, no caching of pages
    /// that show a user's data.
    static func securityHeaders(cards: CardEntry) -> [String: String] {
        let stripe = cards == .testCards ? "" : " https://js.stripe.com"
        let policy = [
            "default-src 'self'", "script-src 'self'\(stripe)", "style-src 'self'", "img-src 'self' data:",
            "connect-src 'self'\(cards == .testCards ? "" : " https://api.stripe.com")",
            "frame-src \(cards == .testCards ? "'none'" : "https://js.stripe.com")", "form-action 'self'",
            "frame-ancestors 'none'", "base-uri 'none'", "object-src 'none'",
        ].joined(separator: "; ")
        return [
            "content-security-policy": policy, "x-content-type-options": "nosniff", "x-frame-options": "DENY",
            "referrer-policy": "same-origin", "cache-control": "no-store",
        ]
    }
}

/// A request a page refuses before calling the API.
enum PageRefusal: Error {
    /// A form post without this browser's CSRF token.
    case forgedForm
}
