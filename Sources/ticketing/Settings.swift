import Foundation
import Orders
import Payments

/// The environment settings the executable reads (SPEC §10), each checked with a one-line error naming it.
enum Settings {
    /// `EXPIRATION_WINDOW_SECONDS`: how long an order locks its ticket (default 900).
    static func expirationWindow(_ environment: [String: String]) throws -> TimeInterval {
        guard let text = environment["EXPIRATION_WINDOW_SECONDS"] else { return OrdersService.defaultExpirationWindow }
        guard let value = Double(text.trimmingCharacters(in: .whitespaces)), value.isFinite, value > 0,
            value <= 365 * 86400
        else {
            throw CommandError(
                "EXPIRATION_WINDOW_SECONDS must be a positive number of seconds (at most a year), not '\(text)'")
        }
        return value
    }

    /// `PAYMENT_CURRENCY`: the ISO currency code orders are charged in (default `usd`).
    static func paymentCurrency(_ environment: [String: String]) throws -> String {
        guard let text = environment["PAYMENT_CURRENCY"] else { return PaymentsService.defaultCurrency }
        let code = text.trimmingCharacters(in: .whitespaces).lowercased()
        guard code.count == 3, code.allSatisfy({ $0.isASCII && $0.isLetter }) else {
            throw CommandError("PAYMENT_CURRENCY must be a three-letter ISO currency code like usd, not '\(text)'")
        }
        return code
    }
}
