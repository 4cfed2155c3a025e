import Foundation
import Stripe
import Testing

/// Minor units computed exactly from decimals.
///
/// Why not `Double`: `0.29` has no exact binary form; as a `Double` it is 0.28999999999999998002…, so
/// `0.29 * 100` is `28.999999999999996`, and `Int(0.29 * 100)` truncates it to `28` — a cent lost. `4.35 * 100`
/// is `434.99999999999994` (→ 434) the same way. `Decimal(string: "0.29")` is exactly 29 hundredths.
@Suite struct StripeAmountTests {
    @Test(
        "Decimal amounts become exact minor units",
        arguments: [
            ("19.99", "usd", 1999), ("0.29", "usd", 29), ("0.07", "usd", 7), ("1000000.00", "usd", 100_000_000),
            ("4.35", "usd", 435), ("10", "eur", 1000), ("500", "jpy", 500), ("500", "JPY", 500), ("0", "usd", 0),
        ])
    func exact(text: String, currency: String, expected: Int) throws {
        let value = try #require(Decimal(string: text, locale: Locale(identifier: "en_US_POSIX")))
        #expect(StripeAmount.minorUnits(value, currency: currency) == expected)
    }

    @Test(
        "Amounts that are not a whole number of minor units are refused",
        arguments: [("1.005", "usd"), ("0.001", "eur"), ("0.5", "jpy"), ("500.01", "jpy")])
    func fractional(text: String, currency: String) throws {
        let value = try #require(Decimal(string: text, locale: Locale(identifier: "en_US_POSIX")))
        #expect(StripeAmount.minorUnits(value, currency: currency) == nil)
    }

    @Test func doubleWouldLoseACent() {
        // The failure this type exists to avoid, shown rather than told.
        let viaDouble = Int(0.29 * 100.0)
        #expect(viaDouble == 28)
        #expect(StripeAmount.minorUnits(Decimal(string: "0.29") ?? 0, currency: "usd") == 29)
    }

    @Test func amountsTooLargeAreRefused() throws {
        let value = try #require(Decimal(string: "1e30"))
        #expect(StripeAmount.minorUnits(value, currency: "usd") == nil)
    }
}
