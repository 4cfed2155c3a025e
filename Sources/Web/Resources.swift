import Foundation
import FunctionKit

/// A ticket as the API returns it.
struct Ticket: Decodable, Sendable {
    var id: String
    var title: String
    var price: Decimal
    var userId: String
    var version: Int
    var orderId: String?

    /// What a template shows of it.
    func view(currentUser: String?, money: Money) -> [String: Any] {
        [
            "id": id, "title": title, "price": money.format(price), "priceValue": "\(price)",
            "reserved": orderId != nil, "mine": userId == currentUser, "version": version,
        ]
    }
}

/// An order as the API returns it, with its ticket.
struct Order: Decodable, Sendable {
    struct Item: Decodable, Sendable {
        var id: String
        var title: String?
        var price: Decimal
    }

    var id: String
    var userId: String
    var status: String
    var expiresAt: String
    var version: Int
    var ticket: Item

    /// What a template shows of it; `now` decides whether an unpaid order has run out.
    func view(now: Date, money: Money) -> [String: Any] {
        let expires = Date.parseISO8601(expiresAt)
        let open = status == "created" || status == "awaiting:payment"
        let expired = open && (expires.map { $0 <= now } ?? false)
        return [
            "id": id, "status": Self.label(status), "statusClass": status.replacingOccurrences(of: ":", with: "-"),
            "expiresAt": expiresAt, "title": ticket.title ?? "Ticket", "price": money.format(ticket.price),
            "ticketId": ticket.id, "payable": open && !expired, "expired": expired, "complete": status == "complete",
            "cancellable": open, "remaining": expires.map { Self.remaining(until: $0, now: now) } ?? "",
        ]
    }

    /// The words shown for a status.
    static func label(_ status: String) -> String {
        switch status {
        case "created", "awaiting:payment": "Awaiting payment"
        case "complete": "Complete"
        case "cancelled": "Cancelled"
        default: status
        }
    }

    /// `m:ss` left until `date`, as the page shows it before its script takes over.
    static func remaining(until date: Date, now: Date) -> String {
        let seconds = max(0, Int(date.timeIntervalSince(now).rounded(.down)))
        return "\(seconds / 60):" + String(format: "%02d", seconds % 60)
    }
}
