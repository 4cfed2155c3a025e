extension String {
    /// The text with `%XX` escapes decoded, as Foundation's `removingPercentEncoding` gives it: `nil` when an
    /// escape is malformed or the decoded bytes are not UTF-8. Text without `%` is returned as it is.
    public var percentDecoded: String? { Substring(self).percentDecoded }
}

extension Substring {
    /// The text with `%XX` escapes decoded, as Foundation's `removingPercentEncoding` gives it: `nil` when an
    /// escape is malformed or the decoded bytes are not UTF-8. Text without `%` is returned as it is, without
    /// a trip through Foundation's string machinery (route parameters and cookies are decoded per request).
    public var percentDecoded: String? {
        var text = self
        return text.withUTF8 { bytes -> String? in
            guard bytes.contains(UInt8(ascii: "%")) else { return String(self) }
            var decoded: [UInt8] = []
            decoded.reserveCapacity(bytes.count)
            var index = 0
            while index < bytes.count {
                let byte = bytes[index]
                index += 1
                guard byte == UInt8(ascii: "%") else {
                    decoded.append(byte)
                    continue
                }
                guard index + 1 < bytes.count, let high = hexValue(bytes[index]), let low = hexValue(bytes[index + 1])
                else { return nil }
                index += 2
                decoded.append(high << 4 | low)
            }
            return String(validating: decoded, as: UTF8.self)
        }
    }
}

private func hexValue(_ byte: UInt8) -> UInt8? {
    switch byte {
    case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
    case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
    case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
    default: nil
    }
}
