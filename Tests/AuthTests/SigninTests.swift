import Auth
import Foundation
import FunctionKit
import FunctionTesting
import Testing

/// SPEC §5 sign-in, sign-out and current user.
@Suite struct SigninTests {
    static func withAlice(_ body: (TestHarness) async throws -> Void) async throws {
        try await TestHarness.with(services: [AuthService.definition(passwords: PasswordHasher(cost: .fastForTests))]) {
            harness in
            let signup = try await harness.http(
                "auth-signup", body: #"{"email":"alice@example.com","password":"secret"}"#)
            #expect(signup.status == 201)
            try await body(harness)
        }
    }

    @Test func signsInWithTheRightPassword() async throws {
        try await Self.withAlice { harness in
            let response = try await harness.http(
                "auth-signin", body: #"{"email":" ALICE@example.com ","password":"secret"}"#)
            #expect(response.status == 200)
            #expect(response.string("email") == "alice@example.com")
            #expect(response.response.cookies.first?.hasPrefix("session=") == true)
        }
    }

    @Test func unknownEmailAndWrongPasswordGetTheSameAnswer() async throws {
        try await Self.withAlice { harness in
            let wrong = try await harness.http(
                "auth-signin", body: #"{"email":"alice@example.com","password":"wrong!"}"#)
            let unknown = try await harness.http(
                "auth-signin", body: #"{"email":"nobody@example.com","password":"secret"}"#)
            #expect(wrong.status == 400 && unknown.status == 400)
            #expect(wrong.errorMessages == ["Invalid credentials"])
            #expect(wrong.response.body == unknown.response.body)
            #expect(wrong.response.cookies.isEmpty)
        }
    }

    @Test func fieldErrorsComeFirst() async throws {
        try await Self.withAlice { harness in
            let response = try await harness.http("auth-signin", body: #"{"email":"nope","password":"   "}"#)
            #expect(response.status == 400)
            #expect(response.errorFields == ["email", "password"])
        }
    }

    @Test func signoutExpiresTheCookie() async throws {
        try await Self.withAlice { harness in
            let response = try await harness.http("auth-signout")
            #expect(response.status == 200)
            #expect(response.json == .object([:]))
            let cookie = try #require(response.response.cookies.first)
            #expect(cookie.hasPrefix("session=;"))
            #expect(
                cookie.contains("Path=/") && cookie.contains("Max-Age=0") && cookie.contains("Expires=Thu, 01 Jan 1970")
            )
        }
    }

    @Test func currentUserReadsTheCookieOrBearerAndIsNeverA401() async throws {
        try await Self.withAlice { harness in
            let signin = try await harness.http(
                "auth-signin", body: #"{"email":"alice@example.com","password":"secret"}"#)
            let cookie = try #require(signin.response.cookies.first).split(separator: ";")[0]
            let viaCookie = try await harness.send(
                "auth-currentuser",
                HTTPRequest(method: "GET", path: "/api/users/currentuser", cookies: [String(cookie)]))
            #expect(viaCookie.status == 200)
            let user = try #require(viaCookie.json?["currentUser"])
            #expect(user["email"]?.stringValue == "alice@example.com")
            #expect(user["id"]?.stringValue == signin.string("id"))
            #expect(user["iat"]?.numberValue == Decimal(Int(harness.clock.now.timeIntervalSince1970)))
            #expect(user["exp"]?.numberValue != nil)

            let viaHeader = try await harness.send(
                "auth-currentuser",
                HTTPRequest(method: "GET", path: "/api/users/currentuser", headers: ["Cookie": "a=b; \(cookie)"]))
            #expect(viaHeader.json?["currentUser"]?["email"]?.stringValue == "alice@example.com")

            let token = try await harness.token(userID: "u1", email: "u1@example.com")
            let viaBearer = try await harness.http("auth-currentuser", token: token)
            #expect(viaBearer.json?["currentUser"]?["id"]?.stringValue == "u1")

            let anonymous = try await harness.http("auth-currentuser")
            #expect(anonymous.status == 200)
            #expect(anonymous.response.body == #"{"currentUser":null}"#)
        }
    }

    @Test func invalidTamperedExpiredOrUnsignedTokensAreAnonymous() async throws {
        try await Self.withAlice { harness in
            let token = try await harness.token(userID: "u1", email: "u1@example.com")
            let parts = token.split(separator: ".").map(String.init)
            let tamperedPayload = Data(#"{"id":"admin","email":"a@b.co","iat":1,"exp":9999999999}"#.utf8).base64URL
            let unsigned = Data(#"{"alg":"none","typ":"JWT"}"#.utf8).base64URL + "." + parts[1] + "."
            for bad in ["garbage", parts[0] + "." + tamperedPayload + "." + parts[2], unsigned, token + "x"] {
                let response = try await harness.http("auth-currentuser", token: bad)
                #expect(response.response.body == #"{"currentUser":null}"#, "\(bad)")
            }
            harness.clock.advance(by: SessionCodec.defaultLifetime + 1)
            let expired = try await harness.http("auth-currentuser", token: token)
            #expect(expired.response.body == #"{"currentUser":null}"#)
        }
    }
}

extension Data {
    var base64URL: String {
        base64EncodedString().replacingOccurrences(of: "=", with: "").replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
    }
}
