import FunctionKit

/// The `{email, password}` body of sign-up and sign-in, trimmed and checked field by field.
struct Credentials: Sendable {
    /// The address, trimmed and lower-cased.
    var email: String
    /// The password, trimmed.
    var password: String

    static let passwordLengths = 4...128

    /// Reads credentials; `strictPassword` applies sign-up's length rule, otherwise the password only has to
    /// be given.
    init(from request: HTTPRequest, strictPassword: Bool) throws {
        var body = try request.jsonObject()
        let email = body.string("email", "Email must be valid", isValid: Self.isEmail)
        let password =
            strictPassword
            ? body.string(
                "password",
                "Password must be between \(Self.passwordLengths.lowerBound) and \(Self.passwordLengths.upperBound) characters",
                isValid: { Self.passwordLengths.contains($0.unicodeScalars.count) })
            : body.string("password", "You must supply a password")
        try body.check()
        // check() threw unless both fields were read.
        self.email = (email ?? "").lowercased()
        self.password = password ?? ""
    }

    /// A pragmatic address check: one `@`, a non-empty local part, a dotted domain, no spaces.
    static func isEmail(_ value: String) -> Bool {
        guard value.unicodeScalars.count <= 254, !value.contains(where: \.isWhitespace) else { return false }
        let parts = value.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts[0].count <= 64 else { return false }
        let labels = parts[1].split(separator: ".", omittingEmptySubsequences: false)
        return labels.count >= 2 && labels.allSatisfy { !$0.isEmpty }
    }
}
