import Foundation

/// JSON Pointer (RFC 6901) reference tokens, as schema and instance locations are written.
enum JSONPointer {
    /// `key` as a reference token: `~` written `~0` and `/` written `~1`.
    static func escape(_ key: String) -> String {
        // Most keys hold neither character: they are their own escape.
        guard key.utf8.contains(where: { $0 == UInt8(ascii: "~") || $0 == UInt8(ascii: "/") }) else { return key }
        return key.replacingOccurrences(of: "~", with: "~0").replacingOccurrences(of: "/", with: "~1")
    }

    /// The key a reference token stands for (``escape(_:)`` undone).
    static func unescape(_ token: some StringProtocol) -> String {
        guard token.utf8.contains(UInt8(ascii: "~")) else { return String(token) }
        return token.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
    }
}
