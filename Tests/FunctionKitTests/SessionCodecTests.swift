import Foundation
import FunctionKit
import Testing

@Suite struct SessionCodecTests {
    let now = Date(timeIntervalSince1970: 1_767_225_600)
    let key = String(repeating: "k", count: 32)

    @Test func refusesKeysShorterThan32Bytes() async throws {
        await #expect(throws: SessionKeyError.tooShort(length: 31)) {
            _ = try await SessionCodec(key: String(repeating: "k", count: 31), secureCookies: true)
        }
        #expect(SessionKeyError.tooShort(length: 5).description == "JWT_KEY must be at least 32 bytes long (it has 5)")
        _ = try await SessionCodec(key: key, secureCookies: true)
    }

    @Test func issuesTokensWithIdEmailIatAndExp() async throws {
        let codec = try await SessionCodec(key: key, secureCookies: true)
        let (token, session) = try await codec.issue(userID: "u1", email: "a@b.co", now: now)
        #expect(session == Session(id: "u1", email: "a@b.co", iat: 1_767_225_600, exp: 1_767_225_600 + 86_400))
        #expect(token.split(separator: ".").count == 3)
        #expect(await codec.session(fromToken: token, now: now) == session)
        #expect(await codec.session(fromToken: token, now: now.addingTimeInterval(86_401)) == nil)
    }

    @Test func aTokenReadBeforeStillExpiresAndATamperedOneIsStillRefused() async throws {
        let codec = try await SessionCodec(key: key, secureCookies: true)
        let (token, session) = try await codec.issue(userID: "u1", email: "a@b.co", now: now)
        // Read once (its signature checked and kept), then again at later times.
        #expect(await codec.session(fromToken: token, now: now) == session)
        #expect(await codec.session(fromToken: token, now: now.addingTimeInterval(86_399)) == session)
        #expect(await codec.session(fromToken: token, now: now.addingTimeInterval(86_401)) == nil)
        // Read first when already expired: refused, and refused again from what was kept.
        let (old, _) = try await codec.issue(userID: "u2", email: "c@d.co", now: now.addingTimeInterval(-90_000))
        #expect(await codec.session(fromToken: old, now: now) == nil)
        #expect(await codec.session(fromToken: old, now: now) == nil)
        // Another payload under the same signature is another text: checked, and refused.
        let parts = token.split(separator: ".").map(String.init)
        let forged = Data(#"{"id":"admin","email":"x@y.z","iat":1767225600,"exp":1999999999}"#.utf8)
            .base64EncodedString().replacingOccurrences(of: "=", with: "").replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
        #expect(await codec.session(fromToken: [parts[0], forged, parts[2]].joined(separator: "."), now: now) == nil)
    }

    @Test func aTokenSignedWithAnotherKeyIsNoSession() async throws {
        let codec = try await SessionCodec(key: key, secureCookies: true)
        let other = try await SessionCodec(key: String(repeating: "o", count: 32), secureCookies: true)
        let (token, _) = try await other.issue(userID: "u1", email: "a@b.co", now: now)
        #expect(await codec.session(fromToken: token, now: now) == nil)
    }

    @Test func cookiesCarryBase64JSONAndTheSecureFlagOutsideLocalDev() async throws {
        let secure = try await SessionCodec(key: key, secureCookies: true)
        let (token, _) = try await secure.issue(userID: "u1", email: "a@b.co", now: now)
        let cookie = secure.cookie(for: token)
        #expect(cookie.hasSuffix("; Path=/; HttpOnly; SameSite=Lax; Secure"))
        let value = String(cookie.dropFirst("session=".count).prefix { $0 != ";" })
        #expect(Data(base64Encoded: value) == Data(#"{"jwt":"\#(token)"}"#.utf8))
        #expect(SessionCodec.token(fromCookieValue: value) == token)
        let request = HTTPRequest(method: "GET", path: "/", cookies: ["session=\(value)"])
        #expect(await secure.session(for: request, now: now)?.id == "u1")
        #expect(SessionCodec.token(fromCookieValue: "%%%") == nil)
        #expect(SessionCodec.token(fromCookieValue: Data("[1]".utf8).base64EncodedString()) == nil)
    }

    @Test func aBearerTokenWinsOverTheCookie() async throws {
        let codec = try await SessionCodec(key: key, secureCookies: false)
        let (cookieToken, _) = try await codec.issue(userID: "cookie", email: "a@b.co", now: now)
        let (bearer, _) = try await codec.issue(userID: "bearer", email: "a@b.co", now: now)
        let request = HTTPRequest(
            method: "GET", path: "/", cookies: [String(codec.cookie(for: cookieToken).split(separator: ";")[0])],
            headers: ["Authorization": "Bearer \(bearer)"])
        #expect(await codec.session(for: request, now: now)?.id == "bearer")
    }
}
