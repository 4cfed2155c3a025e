import Foundation

/// Amounts in a currency's minor units, computed exactly from decimal values (never through `Double`).
public enum StripeAmount {
    /// Currencies Stripe takes in whole units (no minor unit), from Stripe's documentation.
    public static let zeroDecimalCurrencies: Set<String> = [
        "bif", "clp", "djf", "gnf", "jpy", "kmf", "krw", "mga", "pyg", "rwf", "ugx", "vnd", "vuv", "xaf", "xof",
        "xpf",
    ]

    /// `value` in `currency`'s minor units (`19.99` usd → `1999`), or `nil` when it is not a whole number of
    /// them (`0.5` jpy) or does not fit.
    public static func minorUnits(_ value: Decimal, currency: String) -> Int? {
        let scale: Decimal = zeroDecimalCurrencies.contains(currency.lowercased()) ? 1 : 100
        var scaled = value * scale
        var rounded = Decimal()
        NSDecimalRound(&rounded, &scaled, 0, .plain)
        guard rounded == scaled, rounded.isFinite, abs(rounded) < Decimal(Int64.max / 2) else { return nil }
        return NSDecimalNumber(decimal: rounded).intValue
    }
}
