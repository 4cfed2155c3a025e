import Foundation
import FunctionKit

/// `web-sell-form`: `GET /sell`.
struct SellForm: Page {
    let settings: WebSettings

    func respond(to visit: Visit) async throws -> HTTPResponse {
        guard visit.session != nil else { return visit.signInFirst() }
        return try visit.page("sell", title: "Sell a ticket")
    }
}

/// `web-sell`: `POST /sell` lists a ticket and shows it.
struct Sell: Page {
    let settings: WebSettings

    func respond(to visit: Visit) async throws -> HTTPResponse {
        let form = try visit.form()
        guard visit.session != nil else { return visit.signInFirst() }
        let reply = try await visit.api(
            "POST", "/api/tickets",
            body: [
                "title": .string(form.text("title")),
                "price": Self.price(form.text("price"), money: visit.settings.money),
            ])
        guard reply.succeeded, let ticket = try? reply.decode(Ticket.self) else {
            return try visit.page(
                "sell", status: 400, title: "Sell a ticket",
                data: FormErrors(details: reply.errors).values.merging([
                    "title": form.text("title"), "price": form.text("price"),
                ]) { $1 })
        }
        return visit.redirect(to: "/tickets/\(ticket.id.pathComponentEncoded)")
    }

    /// A typed price as the API takes it: a number when it reads as one (the currency's symbol and `,`
    /// allowed), else the text as typed, for the API to say what is wrong with it.
    static func price(_ text: String, money: Money) -> JSONValue {
        let plain = money.plain(text)
        guard !plain.isEmpty, plain.allSatisfy({ $0.isNumber || $0 == "." }), let value = Decimal(string: plain)
        else { return .string(text) }
        return .number(value)
    }
}

/// `web-my-tickets`: `GET /mytickets`, the seller's tickets (prices editable while not reserved) and sales.
struct MyTicketsPage: Page {
    let settings: WebSettings

    func respond(to visit: Visit) async throws -> HTTPResponse {
        guard visit.session != nil else { return visit.signInFirst() }
        return try await Self.render(visit, editing: nil, errors: [])
    }

    /// The page, with `errors` on ticket `editing`'s form.
    static func render(_ visit: Visit, editing: String?, errors: [ErrorDetail], status: Int = 200) async throws
        -> HTTPResponse
    {
        guard let user = visit.session else { return visit.signInFirst() }
        let listed = try await visit.api("GET", "/api/tickets", query: ["userId": user.id, "limit": "500"])
        let sold = try await visit.api("GET", "/api/orders", query: ["role": "seller"])
        guard listed.succeeded, sold.succeeded else {
            return try visit.problem(
                502, title: "My tickets", message: (listed.succeeded ? sold : listed).message)
        }
        let errorValues = FormErrors(details: errors).values
        let tickets = try listed.decode([Ticket].self).map { ticket in
            var view = ticket.view(currentUser: user.id, money: visit.settings.money)
            if ticket.id == editing { view.merge(errorValues) { $1 } }
            return view
        }
        let sales = try sold.decode([Order].self).reversed().map {
            $0.view(now: visit.context.now, money: visit.settings.money)
        }
        return try visit.page(
            "mytickets", status: status, title: "My tickets",
            data: ["tickets": tickets, "noTickets": tickets.isEmpty, "sales": sales, "hasSales": !sales.isEmpty])
    }
}

/// `web-update-ticket`: `POST /mytickets/{id}` changes a ticket's title and price.
struct UpdateTicketPage: Page {
    let settings: WebSettings

    func respond(to visit: Visit) async throws -> HTTPResponse {
        let form = try visit.form()
        guard visit.session != nil else { return visit.signInFirst() }
        let id = visit.request.pathParameters["id"] ?? ""
        let reply = try await visit.api(
            "PUT", "/api/tickets/\(id.pathComponentEncoded)",
            body: [
                "title": .string(form.text("title")),
                "price": Sell.price(form.text("price"), money: visit.settings.money),
            ])
        guard reply.succeeded else {
            return try await MyTicketsPage.render(visit, editing: id, errors: reply.errors, status: 400)
        }
        return visit.redirect(to: "/mytickets")
    }
}
