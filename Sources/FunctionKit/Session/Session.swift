import Foundation

/// The signed-in user of a request: the claims of its session token.
public struct Session: Codable, Sendable, Equatable {
    /// The user's id.
    public var id: String
    /// The user's e-mail address.
    public var email: String
    /// When the token was issued (seconds since the epoch).
    public var iat: Int
    /// When the token expires (seconds since the epoch).
    public var exp: Int

    /// Creates a session.
    public init(id: String, email: String, iat: Int, exp: Int) {
        self.id = id
        self.email = email
        self.iat = iat
        self.exp = exp
    }
}
