import Foundation

/// An amount of money held exactly, in integer cents, and written on the wire as a JSON number with at
/// most two decimals (`19.99`).
public struct Price: Hashable, Sendable, Comparable, Codable, CustomStringConvertible {
    /// The amount in minor units (cents).
    public let cents: Int

    /// The largest price a ticket may have: 1,000,000.00.
    public static let maximum = Price(cents: 100_000_000)

    /// Creates a price from an amount in cents.
    public init(cents: Int) {
        self.cents = cents
    }

    /// Creates a price from a decimal value, or `nil` when the value has more than two decimal places or
    /// does not fit.
    public init?(exactly value: Decimal) {
        guard value.isFinite, abs(value) <= Decimal(Int64.max / 1000) else { return nil }
        var scaled = value * 100
        var rounded = Decimal()
        NSDecimalRound(&rounded, &scaled, 0, .plain)
        guard rounded == scaled else { return nil }
        self.cents = NSDecimalNumber(decimal: rounded).intValue
    }

    /// The value as a decimal number of whole units (`1999` cents is `19.99`).
    public var decimal: Decimal {
        Decimal(cents) / 100
    }

    /// The value as text with two decimals, e.g. `19.99`.
    public var description: String {
        let sign = cents < 0 ? "-" : ""
        let magnitude = cents.magnitude
        let fraction = magnitude % 100
        return "\(sign)\(magnitude / 100).\(fraction < 10 ? "0" : "")\(fraction)"
    }

    public static func < (lhs: Price, rhs: Price) -> Bool {
        lhs.cents < rhs.cents
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let value = try container.decode(Decimal.self)
        guard let price = Price(exactly: value) else {
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: "A price has at most two decimal places")
        }
        self = price
    }

    /// Written as the `Double` nearest to the amount while it has at most 15 digits: that double's shortest
    /// form is exactly the two-decimal amount (`19.99`, `12.5`, `1000000`), the same text a `Decimal` gives at
    /// a small part of the cost. Larger amounts are written from the `Decimal`.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        if cents.magnitude < 1_000_000_000_000_000 {
            try container.encode(Double(cents) / 100)
        } else {
            try container.encode(decimal)
        }
    }
}
