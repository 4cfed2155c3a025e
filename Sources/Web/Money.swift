import Foundation

/// Prices as people read them, in the marketplace's currency: Foundation's currency format for the ISO
/// code, in the pages' language (English), so `usd` shows `$25.50`, `eur` `€25.50`, `gbp` `£25.50` and a
/// zero-decimal currency such as `jpy` `¥1,500`.
public struct Money: Sendable, Equatable {
    /// The ISO 4217 code, upper-case (`USD`).
    public let code: String

    /// The pages' locale: they are written in English.
    static let locale = Locale(identifier: "en_US")

    /// Money in `currency`, an ISO 4217 code in any case.
    public init(currency: String) {
        code = currency.uppercased()
    }

    /// `amount` in this currency: `25.5` → `$25.50`.
    public func format(_ amount: Decimal) -> String {
        amount.formatted(.currency(code: code).locale(Self.locale))
    }

    /// The currency's symbol as the pages show it (`$`, `€`, `CHF`).
    var symbol: String {
        Locale(identifier: "en_US@currency=\(code)").currencySymbol ?? code
    }

    /// A typed amount with this currency's symbol or code, spaces and thousands separators taken out, for
    /// the API to judge: `$1,200.50` → `1200.50`.
    func plain(_ text: String) -> String {
        var plain = text
        for marker in [symbol, code, code.lowercased()] where !marker.isEmpty {
            plain = plain.replacingOccurrences(of: marker, with: "")
        }
        return String(plain.filter { !$0.isCurrencySymbol && !$0.isWhitespace && $0 != "," })
    }
}
