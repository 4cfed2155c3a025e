import Crypto
import Foundation
import FunctionKit

/// Cross-site request forgery protection for the pages' forms, by double submission: each browser gets a
/// random token in an `HttpOnly`, `SameSite=Strict` cookie, every form carries it in a hidden `_csrf` field,
/// and a post whose field does not match its cookie is refused. Another site can make the browser post, but
/// it can neither read the cookie nor set it.
struct CSRF: Sendable {
    /// The cookie's name.
    static let cookieName = "csrf"
    /// The form field's name.
    static let fieldName = "_csrf"

    /// The browser's token.
    let token: String
    /// The `Set-Cookie` to send when the token is new.
    let cookie: String?

    /// The token `request` carries, or a new one to set.
    init(_ request: HTTPRequest, secure: Bool) {
        if let existing = request.cookie(Self.cookieName), existing.count >= 32 {
            token = existing
            cookie = nil
        } else {
            let fresh = Data(SymmetricKey(size: .bits256).withUnsafeBytes { Data($0) }).base64URLEncoded
            token = fresh
            cookie = "\(Self.cookieName)=\(fresh); Path=/; HttpOnly; SameSite=Strict" + (secure ? "; Secure" : "")
        }
    }

    /// Whether `form` was posted from one of our pages in this browser.
    func accepts(_ form: Form, from request: HTTPRequest) -> Bool {
        guard let cookie = request.cookie(Self.cookieName), let field = form[Self.fieldName],
            !cookie.isEmpty, cookie.utf8.count == field.utf8.count
        else { return false }
        // Constant time: the comparison's duration says nothing about how much of the token matched.
        return zip(cookie.utf8, field.utf8).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }
}

extension Data {
    /// Base64url without padding.
    var base64URLEncoded: String {
        base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}
