import Foundation
import JWTKit
import Synchronization

/// Why a session key was refused.
public enum SessionKeyError: Error, Sendable, CustomStringConvertible, Equatable {
    /// The key has fewer than ``SessionCodec/minimumKeyLength`` bytes.
    case tooShort(length: Int)

    public var description: String {
        switch self {
        case .tooShort(let length):
            "JWT_KEY must be at least \(SessionCodec.minimumKeyLength) bytes long (it has \(length))"
        }
    }
}

/// Issues and reads session tokens (HS256 JWTs with `id`, `email`, `iat`, `exp`) and the `session`
/// cookie that carries them (base64 of `{"jwt":"<token>"}`).
///
/// A token that is invalid, tampered with, expired or not HS256 (including `alg: none`) reads as no
/// session: the request is anonymous.
public struct SessionCodec: Sendable {
    /// The shortest HMAC key accepted, in bytes.
    public static let minimumKeyLength = 32
    /// The cookie's name.
    public static let cookieName = "session"
    /// How long a token is valid by default: one day.
    public static let defaultLifetime: TimeInterval = 24 * 60 * 60

    private let keys: SigningKeys
    private let verified = VerifiedTokens()
    /// How long issued tokens are valid.
    public let lifetime: TimeInterval
    /// Whether cookies carry `Secure` (everywhere but the local dev runtime).
    public let secureCookies: Bool

    /// Creates a codec signing with `key`, refusing keys shorter than ``minimumKeyLength``.
    public init(key: String, secureCookies: Bool, lifetime: TimeInterval = SessionCodec.defaultLifetime) async throws {
        let bytes = Array(key.utf8)
        guard bytes.count >= Self.minimumKeyLength else {
            throw SessionKeyError.tooShort(length: bytes.count)
        }
        self.keys = SigningKeys(key: bytes)
        self.lifetime = lifetime
        self.secureCookies = secureCookies
    }

    /// Signs a token for a user at `now`.
    public func issue(userID: String, email: String, now: Date) async throws -> (token: String, session: Session) {
        let issuedAt = Int(now.timeIntervalSince1970)
        let claims = SessionClaims(
            id: userID, email: email,
            iat: IssuedAtClaim(value: Date(timeIntervalSince1970: TimeInterval(issuedAt))),
            exp: ExpirationClaim(value: Date(timeIntervalSince1970: TimeInterval(issuedAt) + lifetime)))
        let token = try await keys.collection().sign(claims)
        return (token, claims.session)
    }

    /// The session a token stands for at `now`, or `nil` when the token is not valid then.
    public func session(fromToken token: String, now: Date) async -> Session? {
        if let (session, expires) = verified.lookUp(token) { return expires > now ? session : nil }
        guard let claims = try? await keys.collection().verify(token, as: SessionClaims.self) else { return nil }
        verified.keep(token, session: claims.session, expires: claims.exp.value)
        guard claims.exp.value > now else { return nil }
        return claims.session
    }

    /// The session of a request: its `Authorization: Bearer` token, else its `session` cookie.
    public func session(for request: HTTPRequest, now: Date) async -> Session? {
        if let authorization = request.header("authorization") {
            // As nearly every client writes it: no splitting or lower-casing.
            if authorization.hasPrefix("Bearer ") {
                return await session(fromToken: authorization.dropFirst(7).trimmingWhitespace(), now: now)
            }
            let parts = authorization.split(separator: " ", maxSplits: 1)
            if parts.count == 2, parts[0].lowercased() == "bearer" {
                return await session(fromToken: parts[1].trimmingWhitespace(), now: now)
            }
        }
        guard let cookie = request.cookie(Self.cookieName), let token = Self.token(fromCookieValue: cookie) else {
            return nil
        }
        return await session(fromToken: token, now: now)
    }

    /// The `Set-Cookie` value that stores `token` in the browser.
    public func cookie(for token: String) -> String {
        let value = Data(#"{"jwt":"\#(token)"}"#.utf8).base64EncodedString()
        return "\(Self.cookieName)=\(value); Path=/; HttpOnly; SameSite=Lax" + (secureCookies ? "; Secure" : "")
    }

    /// The `Set-Cookie` value that clears the session cookie.
    public var clearedCookie: String {
        "\(Self.cookieName)=; Path=/; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; SameSite=Lax"
            + (secureCookies ? "; Secure" : "")
    }

    /// The token inside a `session` cookie value, or `nil` when the value is not base64 of `{"jwt": …}`.
    public static func token(fromCookieValue value: String) -> String? {
        let unescaped = value.percentDecoded ?? value
        guard let data = Data(base64Encoded: unescaped) ?? Data(base64Encoded: unescaped + padding(for: unescaped)),
            let object = try? JSONValue(parsing: data)
        else { return nil }
        return object["jwt"]?.stringValue
    }

    private static func padding(for value: String) -> String {
        String(repeating: "=", count: (4 - value.count % 4) % 4)
    }
}

/// The HMAC key as JWTKit's key collection, made when the first token is signed or read: a process that
/// answers one request without a session (`ticketing invoke` on a public route) never pays for setting up
/// JWTKit.
private final class SigningKeys: Sendable {
    private let key: [UInt8]
    private let made = Mutex<Task<JWTKeyCollection, Never>?>(nil)

    init(key: [UInt8]) {
        self.key = key
    }

    /// The collection holding the key, made once.
    func collection() async -> JWTKeyCollection {
        let task = made.withLock { made in
            if let made { return made }
            let key = self.key
            let task = Task {
                let keys = JWTKeyCollection()
                await keys.add(hmac: HMACKey(from: key), digestAlgorithm: .sha256)
                return keys
            }
            made = task
            return task
        }
        return await task.value
    }
}

/// Tokens whose signature was checked, with what they stand for: a client sends the same token with every
/// request, and checking its signature (parsing, HMAC, decoding the claims) costs more than the handler's
/// own work on a point read. A token is its signature too, so the same text verifies the same way again;
/// its expiry is still compared with the caller's clock each time. Holds at most ``limit`` tokens, and
/// starts over when full.
private final class VerifiedTokens: Sendable {
    static let limit = 4096

    private let tokens = Mutex<[String: (session: Session, expires: Date)]>([:])

    /// What `token` stands for, if its signature was checked before.
    func lookUp(_ token: String) -> (Session, Date)? {
        tokens.withLock { $0[token] }.map { ($0.session, $0.expires) }
    }

    /// Keeps a token whose signature checked out.
    func keep(_ token: String, session: Session, expires: Date) {
        tokens.withLock { tokens in
            if tokens.count >= Self.limit { tokens.removeAll(keepingCapacity: true) }
            tokens[token] = (session, expires)
        }
    }
}

/// The JWT claims of a session token.
struct SessionClaims: JWTPayload {
    var id: String
    var email: String
    var iat: IssuedAtClaim
    var exp: ExpirationClaim

    /// Expiry is checked against the caller's clock in ``SessionCodec/session(fromToken:now:)``, so tests
    /// can move time; the signature is checked by JWTKit before this is called.
    func verify(using algorithm: some JWTAlgorithm) async throws {}

    var session: Session {
        Session(
            id: id, email: email, iat: Int(iat.value.timeIntervalSince1970), exp: Int(exp.value.timeIntervalSince1970))
    }
}
