import Foundation

/// Stripe's rule for `Idempotency-Key`: up to 255 characters. This client also requires one (every charge
/// and refund is a `POST` that must be safe to retry) and refuses control characters, which cannot travel in
/// an HTTP header.
enum IdempotencyKey {
    /// The longest key Stripe accepts.
    static let maximumLength = 255

    /// ``StripeError/invalidRequest(message:code:param:)`` when `key` is not a usable idempotency key.
    static func validate(_ key: String) throws {
        let scalars = key.unicodeScalars
        guard !key.isEmpty, key.count <= maximumLength,
            !scalars.contains(where: { $0.properties.generalCategory == .control })
        else {
            throw StripeError.invalidRequest(
                message: "An idempotency key of 1 to \(maximumLength) characters, without control characters, "
                    + "is required.",
                code: nil, param: "Idempotency-Key")
        }
    }
}
