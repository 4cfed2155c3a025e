import Foundation
import Orders

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
}
