import Foundation

/// What Stripe's documented test tokens (`tok_…`) and test PaymentMethods (`pm_card_…`) do when charged, for
/// ``MockStripeClient``.
///
/// Succeed: `tok_`/`pm_card_` + `visa`, `visa_debit`, `mastercard`, `mastercard_debit`, `mastercard_prepaid`,
/// `amex`, `discover`, `diners`, `jcb`, `unionpay`, `bypassPending`, `us`.
/// Decline, as `tok_`/`tok_visa_`/`pm_card_`/`pm_card_visa_` + the scenario:
///
/// | scenario | code | decline code | message |
/// |---|---|---|---|
/// | `chargeDeclined`, `chargeCustomerFail` | `card_declined` | `generic_decline` | Your card was declined. |
/// | `chargeDeclinedInsufficientFunds` | `card_declined` | `insufficient_funds` | Your card has insufficient funds. |
/// | `chargeDeclinedLostCard` | `card_declined` | `lost_card` | Your card was declined. |
/// | `chargeDeclinedStolenCard` | `card_declined` | `stolen_card` | Your card was declined. |
/// | `chargeDeclinedFraudulent`, `radarBlock` | `card_declined` | `fraudulent` | Your card was declined. |
/// | `chargeDeclinedVelocityLimitExceeded` | `card_declined` | `card_velocity_exceeded` | … repeated attempts … |
/// | `chargeDeclinedExpiredCard` | `expired_card` | `expired_card` | Your card has expired. |
/// | `chargeDeclinedIncorrectCvc` | `incorrect_cvc` | `incorrect_cvc` | Your card's security code is incorrect. |
/// | `chargeDeclinedProcessingError` | `processing_error` | `processing_error` | An error occurred while processing … |
///
/// Need authentication (3D Secure), which a server-side charge cannot complete: `authenticationRequired`,
/// `threeDSecureRequired`, `threeDSecure2Required` → ``StripeError/authenticationRequired``.
enum StripeTestCard {
    /// What charging a test token does.
    enum Outcome: Sendable, Equatable {
        /// The charge succeeds.
        case succeeds
        /// The card is declined with this error.
        case declines(StripeError)
    }

    /// The outcome of charging `token`, or `nil` for a token Stripe does not know.
    static func outcome(of token: String) -> Outcome? {
        let scenario: Substring
        if token.hasPrefix("pm_card_") {
            scenario = token.dropFirst("pm_card_".count)
        } else if token.hasPrefix("tok_") {
            scenario = token.dropFirst("tok_".count)
        } else {
            return nil
        }
        if succeeding.contains(String(scenario)) { return .succeeds }
        let unbranded = scenario.hasPrefix("visa_") ? scenario.dropFirst("visa_".count) : scenario
        return declines[String(unbranded)].map { .declines($0) }
    }

    private static let succeeding: Set<String> = [
        "visa", "visa_debit", "mastercard", "mastercard_debit", "mastercard_prepaid", "amex", "discover", "diners",
        "jcb", "unionpay", "bypassPending", "us",
    ]

    private static let declined = "Your card was declined."

    private static let declines: [String: StripeError] = [
        "chargeDeclined": decline("card_declined", "generic_decline", declined),
        "chargeCustomerFail": decline("card_declined", "generic_decline", declined),
        "chargeDeclinedInsufficientFunds": decline(
            "card_declined", "insufficient_funds", "Your card has insufficient funds."),
        "chargeDeclinedLostCard": decline("card_declined", "lost_card", declined),
        "chargeDeclinedStolenCard": decline("card_declined", "stolen_card", declined),
        "chargeDeclinedFraudulent": decline("card_declined", "fraudulent", declined),
        "radarBlock": decline("card_declined", "fraudulent", declined),
        "chargeDeclinedVelocityLimitExceeded": decline(
            "card_declined", "card_velocity_exceeded",
            "Your card was declined for making repeated attempts too frequently or exceeding its amount limit."),
        "chargeDeclinedExpiredCard": decline("expired_card", "expired_card", "Your card has expired."),
        "chargeDeclinedIncorrectCvc": decline(
            "incorrect_cvc", "incorrect_cvc", "Your card's security code is incorrect."),
        "chargeDeclinedProcessingError": decline(
            "processing_error", "processing_error",
            "An error occurred while processing your card. Try again in a little bit."),
        "authenticationRequired": .authenticationRequired,
        "threeDSecureRequired": .authenticationRequired,
        "threeDSecure2Required": .authenticationRequired,
    ]

    private static func decline(_ code: String, _ declineCode: String, _ message: String) -> StripeError {
        .cardDeclined(message: message, code: code, declineCode: declineCode)
    }
}
