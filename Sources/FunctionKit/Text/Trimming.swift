extension String {
    /// The text without leading and trailing spaces and tabs: `trimmingCharacters(in: .whitespaces)` (Unicode
    /// space separators and tab) without Foundation, which converts the text to UTF-16 and back to do it.
    public func trimmingWhitespace() -> String { Substring(self).trimmingWhitespace() }

    /// The text without leading and trailing white space and line breaks, as
    /// `trimmingCharacters(in: .whitespacesAndNewlines)` gives it, without Foundation.
    public func trimmingWhitespaceAndNewlines() -> String { Substring(self).trimmingWhitespaceAndNewlines() }
}

extension Substring {
    /// The text without leading and trailing spaces and tabs (see `String.trimmingWhitespace()`).
    public func trimmingWhitespace() -> String { trimming(newlines: false) }

    /// The text without leading and trailing white space and line breaks (see
    /// `String.trimmingWhitespaceAndNewlines()`).
    public func trimmingWhitespaceAndNewlines() -> String { trimming(newlines: true) }

    private func trimming(newlines: Bool) -> String {
        let scalars = unicodeScalars
        var start = scalars.startIndex
        var end = scalars.endIndex
        while start < end, Self.isBlank(scalars[start], newlines: newlines) { scalars.formIndex(after: &start) }
        while start < end {
            let last = scalars.index(before: end)
            guard Self.isBlank(scalars[last], newlines: newlines) else { break }
            end = last
        }
        return String(scalars[start..<end])
    }

    /// Foundation's `CharacterSet.whitespaces` as CoreFoundation defines it (space, tab, no-break space,
    /// U+1680, U+2000–U+200B, U+202F, U+205F, U+3000), and with `newlines` its `whitespacesAndNewlines`
    /// (those, U+000A–U+000D, U+0085, U+2028 and U+2029).
    private static func isBlank(_ scalar: Unicode.Scalar, newlines: Bool) -> Bool {
        switch scalar.value {
        case 0x20, 0x09, 0xA0, 0x1680, 0x2000...0x200B, 0x202F, 0x205F, 0x3000: true
        case 0x0A...0x0D, 0x85, 0x2028, 0x2029: newlines
        default: false
        }
    }
}
