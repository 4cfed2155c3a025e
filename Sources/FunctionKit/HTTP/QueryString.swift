import Foundation

/// `application/x-www-form-urlencoded` text, as a URL's query and an HTML form's body carry it.
///
/// `+` stands for a space (what a browser's form sends for `Eras Tour`); `%XX` for a byte. A malformed
/// escape is kept as it was sent rather than making the whole query unreadable.
public enum QueryString {
    /// The name-value pairs of `text`, in order, decoded.
    public static func pairs(_ text: some StringProtocol) -> [(name: String, value: String)] {
        text.split(separator: "&", omittingEmptySubsequences: true).map { item in
            let parts = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            return (decode(parts.first ?? ""), parts.count > 1 ? decode(parts[1]) : "")
        }
    }

    /// The parameters of `text` as API Gateway v2 gives them: a repeated name's values joined by commas.
    public static func parameters(_ text: some StringProtocol) -> [String: String] {
        var parameters: [String: String] = [:]
        for (name, value) in pairs(text) {
            parameters[name] = parameters[name].map { "\($0),\(value)" } ?? value
        }
        return parameters
    }

    /// `pairs` encoded, names in the order given; spaces as `%20`, and `+`, `&`, `=` escaped.
    public static func encode(_ pairs: [(name: String, value: String)]) -> String {
        pairs.map { "\(encode($0.name))=\(encode($0.value))" }.joined(separator: "&")
    }

    /// `parameters` encoded, sorted by name so that the text is the same every time.
    public static func encode(_ parameters: [String: String]) -> String {
        encode(parameters.sorted { $0.key < $1.key }.map { (name: $0.key, value: $0.value) })
    }

    /// One name or value decoded.
    public static func decode(_ component: some StringProtocol) -> String {
        var bytes: [UInt8] = []
        let utf8 = Array(component.utf8)
        var index = 0
        while index < utf8.count {
            let byte = utf8[index]
            if byte == UInt8(ascii: "+") {
                bytes.append(UInt8(ascii: " "))
            } else if byte == UInt8(ascii: "%"), index + 2 < utf8.count,
                let high = hexValue(utf8[index + 1]), let low = hexValue(utf8[index + 2])
            {
                bytes.append(high << 4 | low)
                index += 2
            } else {
                bytes.append(byte)
            }
            index += 1
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// One name or value encoded: unreserved characters as they are, every other byte as `%XX`.
    public static func encode(_ component: some StringProtocol) -> String {
        var text = ""
        for byte in component.utf8 {
            if unreserved.contains(byte) {
                text.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                text +=
                    "%" + String(byte >> 4, radix: 16, uppercase: true) + String(byte & 0xF, radix: 16, uppercase: true)
            }
        }
        return text
    }

    private static let unreserved = Set(
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~".utf8)

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
