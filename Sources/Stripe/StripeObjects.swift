import Foundation

/// The fields of Stripe's `charge` object this client reads.
struct ChargeObject: Decodable, Sendable {
    var id: String
    var amount: Int?
    var currency: String?
    var status: String?
    var failureCode: String?
    var failureMessage: String?

    enum CodingKeys: String, CodingKey {
        case id, amount, currency, status
        case failureCode = "failure_code"
        case failureMessage = "failure_message"
    }
}

/// The fields of Stripe's `payment_intent` object this client reads.
struct PaymentIntentObject: Decodable, Sendable {
    var id: String
    var amount: Int?
    var currency: String?
    var status: String?
    var lastPaymentError: StripeErrorObject?

    enum CodingKeys: String, CodingKey {
        case id, amount, currency, status
        case lastPaymentError = "last_payment_error"
    }
}

/// The fields of Stripe's `refund` object this client reads.
struct RefundObject: Decodable, Sendable {
    var id: String
    var status: String?
    var failureReason: String?

    enum CodingKeys: String, CodingKey {
        case id, status
        case failureReason = "failure_reason"
    }
}

extension JSONDecoder {
    /// `T` from a success answer's `body`, or ``StripeError/unexpectedResponse(status:body:)`` when it is not one.
    static func stripeObject<T: Decodable>(_ type: T.Type, from body: Data, status: Int) throws -> T {
        do {
            return try JSONDecoder().decode(type, from: body)
        } catch {
            throw StripeError.unexpectedResponse(status: status, body: String(decoding: body, as: UTF8.self))
        }
    }
}
