import Foundation
import FunctionKit

/// `web-home`: `GET /`, the tickets for sale, searchable by title, a page at a time.
struct HomePage: Page {
    let settings: WebSettings
    /// Tickets per page.
    static let pageSize = 12

    func respond(to visit: Visit) async throws -> HTTPResponse {
        let title = (visit.request.queryStringParameters["title"] ?? "").trimmingCharacters(in: .whitespaces)
        var query = ["limit": "\(Self.pageSize)"]
        if !title.isEmpty { query["title"] = title }
        if let cursor = visit.request.queryStringParameters["cursor"], !cursor.isEmpty { query["cursor"] = cursor }
        let reply = try await visit.api("GET", "/api/tickets", query: query)
        guard reply.succeeded else {
            return try visit.page(
                "home", status: reply.status, title: "Tickets",
                data: FormErrors(details: reply.errors).values.merging(["search": title]) { $1 })
        }
        let tickets = try reply.decode([Ticket].self)
        var data: [String: Any] = [
            "search": title, "searching": !title.isEmpty,
            "tickets": tickets.map { $0.view(currentUser: visit.session?.id, money: visit.settings.money) },
            "empty": tickets.isEmpty, "paged": query["cursor"] != nil,
        ]
        var first = URLComponents()
        first.path = "/"
        first.queryItems = title.isEmpty ? nil : [URLQueryItem(name: "title", value: title)]
        data["first"] = first.string ?? "/"
        if let cursor = Self.nextCursor(reply.headers["link"]) {
            var next = URLComponents()
            next.path = "/"
            next.queryItems =
                (title.isEmpty ? [] : [URLQueryItem(name: "title", value: title)])
                + [URLQueryItem(name: "cursor", value: cursor)]
            data["next"] = next.string ?? "/"
        }
        return try visit.page("home", title: "Tickets", data: data)
    }

    /// The `cursor` of the API's `Link: <…>; rel="next"`.
    static func nextCursor(_ link: String?) -> String? {
        guard let link, link.contains("rel=\"next\""), let start = link.firstIndex(of: "<"),
            let end = link.firstIndex(of: ">"), start < end
        else { return nil }
        let url = URLComponents(string: String(link[link.index(after: start)..<end]))
        return url?.queryItems?.first { $0.name == "cursor" }?.value
    }
}

/// `web-ticket`: `GET /tickets/{id}`, one ticket with its Purchase button.
struct TicketPage: Page {
    let settings: WebSettings

    func respond(to visit: Visit) async throws -> HTTPResponse {
        try await Self.render(visit, id: visit.request.pathParameters["id"] ?? "", errors: [])
    }

    /// The ticket page for `id`, with `errors` from a purchase that failed.
    static func render(_ visit: Visit, id: String, errors: [ErrorDetail], status: Int = 200) async throws
        -> HTTPResponse
    {
        let reply = try await visit.api("GET", "/api/tickets/\(id.pathComponentEncoded)")
        guard reply.succeeded else {
            return try visit.problem(
                reply.status == 404 ? 404 : 502, title: "Not found",
                message: reply.status == 404 ? "That ticket does not exist." : reply.message)
        }
        let ticket = try reply.decode(Ticket.self)
        var data = FormErrors(details: errors).values
        data["ticket"] = ticket.view(currentUser: visit.session?.id, money: visit.settings.money)
        data["canBuy"] = visit.session != nil && ticket.userId != visit.session?.id && ticket.orderId == nil
        data["signInToBuy"] = visit.session == nil && ticket.orderId == nil
        return try visit.page("ticket", status: status, title: ticket.title, data: data)
    }
}

/// `web-purchase`: `POST /tickets/{id}/purchase` orders the ticket and shows the order.
struct Purchase: Page {
    let settings: WebSettings

    func respond(to visit: Visit) async throws -> HTTPResponse {
        _ = try visit.form()
        let id = visit.request.pathParameters["id"] ?? ""
        guard visit.session != nil else {
            return visit.redirect(to: "/signin?next=/tickets/\(id.pathComponentEncoded)")
        }
        let reply = try await visit.api("POST", "/api/orders", body: ["ticketId": .string(id)])
        guard reply.succeeded, let order = try? reply.decode(Order.self) else {
            return try await TicketPage.render(visit, id: id, errors: reply.errors, status: 400)
        }
        return visit.redirect(to: "/orders/\(order.id.pathComponentEncoded)")
    }
}

extension String {
    /// The string as one path segment.
    var pathComponentEncoded: String {
        addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~"))) ?? ""
    }
}
