import Foundation
import FunctionKit

/// `web-orders`: `GET /orders`, the signed-in user's orders.
struct OrdersPage: Page {
    let settings: WebSettings

    func respond(to visit: Visit) async throws -> HTTPResponse {
        guard visit.session != nil else { return visit.signInFirst() }
        let reply = try await visit.api("GET", "/api/orders")
        guard reply.succeeded else {
            return try visit.problem(502, title: "My orders", message: reply.message)
        }
        let orders = try reply.decode([Order].self).reversed().map {
            $0.view(now: visit.context.now, money: visit.settings.money)
        }
        return try visit.page("orders", title: "My orders", data: ["orders": orders, "empty": orders.isEmpty])
    }
}

/// `web-order`: `GET /orders/{id}`, one order: its countdown, the pay form and the cancel button.
struct OrderPage: Page {
    let settings: WebSettings

    func respond(to visit: Visit) async throws -> HTTPResponse {
        guard visit.session != nil else { return visit.signInFirst() }
        return try await Self.render(visit, id: visit.request.pathParameters["id"] ?? "", errors: [])
    }

    /// The test cards the pay form offers with the mock Stripe client, as Stripe documents them.
    static let testCards: [(token: String, label: String)] = [
        ("tok_visa", "Visa 4242 4242 4242 4242 — succeeds"),
        ("tok_chargeDeclined", "Visa 4000 0000 0000 0002 — declined"),
        ("tok_chargeDeclinedInsufficientFunds", "Visa 4000 0000 0000 9995 — insufficient funds"),
    ]

    /// The page for order `id`, with `errors` from a payment or cancellation that failed.
    static func render(_ visit: Visit, id: String, errors: [ErrorDetail], status: Int = 200, chosen: String? = nil)
        async throws -> HTTPResponse
    {
        let reply = try await visit.api("GET", "/api/orders/\(id.pathComponentEncoded)")
        guard reply.succeeded else {
            return try visit.problem(
                reply.status == 404 ? 404 : 403, title: "Order",
                message: reply.status == 404 ? "That order does not exist." : reply.message)
        }
        let order = try reply.decode(Order.self)
        var data = FormErrors(details: errors).values
        // The card field's errors (a decline) are the token's, whatever the API called the field.
        if var fields = data["fieldErrors"] as? [String: String], fields["token"] == nil,
            let decline = errors.first(where: { $0.code != nil })
        {
            fields["token"] = decline.message
            data["fieldErrors"] = fields
            let general = (data["errors"] as? [String] ?? []).filter { $0 != decline.message }
            data["errors"] = general
            data["hasGeneralErrors"] = !general.isEmpty
        }
        data["order"] = order.view(now: visit.context.now, money: visit.settings.money)
        // Just paid: the order turns complete once the payment's event reaches the orders service.
        data["confirming"] = visit.request.queryStringParameters["paid"] == "1" && order.status != "complete"
        data["isBuyer"] = order.userId == visit.session?.id
        switch visit.settings.cards {
        case .testCards:
            let selected = chosen ?? testCards[0].token
            data["hasTestCards"] = true
            data["testCards"] = testCards.map {
                ["token": $0.token, "label": $0.label, "checked": $0.token == selected] as [String: Any]
            }
        case .stripeJS(let key):
            data["stripeKey"] = key
        }
        return try visit.page("order", status: status, title: "Order", data: data)
    }
}

/// `web-pay`: `POST /orders/{id}/pay` pays with the chosen card (a test token, or a PaymentMethod made by
/// Stripe.js).
struct Pay: Page {
    let settings: WebSettings

    func respond(to visit: Visit) async throws -> HTTPResponse {
        let form = try visit.form()
        guard visit.session != nil else { return visit.signInFirst() }
        let id = visit.request.pathParameters["id"] ?? ""
        let token = form.text("token")
        let reply = try await visit.api(
            "POST", "/api/payments", body: ["orderId": .string(id), "token": .string(token)])
        guard reply.succeeded else {
            return try await OrderPage.render(
                visit, id: id, errors: reply.errors, status: reply.status == 402 ? 402 : 400, chosen: token)
        }
        return visit.redirect(to: "/orders/\(id.pathComponentEncoded)?paid=1")
    }
}

/// `web-cancel-order`: `POST /orders/{id}/cancel`.
struct CancelOrderPage: Page {
    let settings: WebSettings

    func respond(to visit: Visit) async throws -> HTTPResponse {
        _ = try visit.form()
        guard visit.session != nil else { return visit.signInFirst() }
        let id = visit.request.pathParameters["id"] ?? ""
        let reply = try await visit.api("DELETE", "/api/orders/\(id.pathComponentEncoded)")
        guard reply.succeeded else {
            return try await OrderPage.render(visit, id: id, errors: reply.errors, status: 400)
        }
        return visit.redirect(to: "/orders/\(id.pathComponentEncoded)")
    }
}
