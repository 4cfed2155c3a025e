import Foundation

/// A request body in `application/x-www-form-urlencoded`, the encoding Stripe's API takes: fields in the
/// order they were added, nested names written with brackets (`metadata[orderId]`, `payment_method_types[]`).
///
/// Names and values are percent-encoded byte by byte (UTF-8) leaving only RFC 3986's unreserved characters
/// (`A–Z a–z 0–9 - . _ ~`) as they are, so a space is `%20` and `+`, `&`, `=` never need the reader to guess.
/// The brackets that give a name its structure stay literal (Stripe reads both forms); a bracket inside a
/// part of a name is encoded (`%5B`), so it can never be read as structure.
struct StripeForm: Sendable, Equatable {
    /// One `name=value` pair, the name split into its base and bracketed parts.
    struct Field: Sendable, Equatable {
        /// The name before any brackets (`metadata`).
        var base: String
        /// The bracketed parts (`["orderId"]` for `metadata[orderId]`, `[""]` for `payment_method_types[]`).
        var subscripts: [String]
        /// The value.
        var value: String

        /// The name as written in the body.
        var encodedName: String {
            StripeForm.percentEncode(base) + subscripts.map { "[" + StripeForm.percentEncode($0) + "]" }.joined()
        }
    }

    /// The fields, in body order.
    private(set) var fields: [Field] = []

    /// Adds `name=value`, or `base[sub]…=value` when `subscripts` are given.
    mutating func append(_ base: String, _ subscripts: [String] = [], value: String) {
        fields.append(Field(base: base, subscripts: subscripts, value: value))
    }

    /// Adds `metadata[key]=value` for each entry, keys sorted so the same metadata always makes the same body.
    mutating func appendMetadata(_ metadata: [String: String]) {
        for key in metadata.keys.sorted() {
            append("metadata", [key], value: metadata[key] ?? "")
        }
    }

    /// The body text: `name=value` pairs joined with `&`.
    var encoded: String {
        fields.map { $0.encodedName + "=" + Self.percentEncode($0.value) }.joined(separator: "&")
    }

    /// The value of the first field whose written name is `encodedName`, for tests and logs.
    func value(of encodedName: String) -> String? {
        fields.first { $0.encodedName == encodedName }?.value
    }

    /// `text` with every byte outside RFC 3986's unreserved set written as `%XX` (upper-case hex).
    static func percentEncode(_ text: String) -> String {
        var encoded = ""
        encoded.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            if isUnreserved(byte) {
                encoded.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                encoded += "%" + hexDigit(byte >> 4) + hexDigit(byte & 0x0F)
            }
        }
        return encoded
    }

    private static func isUnreserved(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
            UInt8(ascii: "~"):
            true
        default: false
        }
    }

    private static func hexDigit(_ nibble: UInt8) -> String {
        String(UnicodeScalar(nibble < 10 ? UInt8(ascii: "0") + nibble : UInt8(ascii: "A") + nibble - 10))
    }
}
