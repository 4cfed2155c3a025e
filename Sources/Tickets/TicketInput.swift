import Contracts
import FunctionKit

/// The `{title, price}` body of creating and editing a ticket, checked field by field.
struct TicketInput: Sendable {
    /// The longest title, in Unicode code points (as JSON Schema's `maxLength` counts).
    static let maximumTitleLength = 200
    /// The highest price, as the decimal a body's number is compared with (made once: `Decimal` division is
    /// slow).
    static let maximumPrice = Price.maximum.decimal

    var title: String
    var price: Price

    init(from request: HTTPRequest) throws {
        var body = try request.jsonObject()
        let title = body.string("title", "Title is required")
        if let title, title.unicodeScalars.count > Self.maximumTitleLength {
            body.reject("title", "Title must be at most \(Self.maximumTitleLength) characters")
        }
        var price: Price?
        if let value = body.number("price", "Price must be greater than 0") {
            if value <= 0 {
                body.reject("price", "Price must be greater than 0")
            } else if value > Self.maximumPrice {
                body.reject("price", "Price must be at most \(Price.maximum)")
            } else if let exact = Price(exactly: value) {
                price = exact
            } else {
                body.reject("price", "Price must have at most 2 decimal places")
            }
        }
        try body.check()
        guard let title, let price else { throw FunctionError.badRequest("Invalid ticket") }
        self.title = title
        self.price = price
    }
}
