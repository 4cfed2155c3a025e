import Auth
import FunctionKit
import FunctionTesting
import Testing

/// SPEC §5 `POST /api/users/signup`, every error in its stated order.
@Suite struct SignupTests {
    static func withHarness(_ body: (TestHarness) async throws -> Void) async throws {
        try await TestHarness.with(
            services: [AuthService.definition(passwords: PasswordHasher(cost: .fastForTests))], body)
    }

    @Test func createsAnAccountAndSetsTheSessionCookie() async throws {
        try await Self.withHarness { harness in
            let response = try await harness.http(
                "auth-signup", body: #"{"email":"  Alice@Example.COM ","password":"  secret  "}"#)
            #expect(response.status == 201)
            #expect(response.string("email") == "alice@example.com")
            let id = try #require(response.string("id"))
            #expect(!id.isEmpty)
            let cookie = try #require(response.response.cookies.first)
            #expect(cookie.hasPrefix("session="))
            #expect(cookie.contains("Path=/") && cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"))
            #expect(!cookie.contains("Secure"), "the local dev runtime sets no Secure flag")
            let value = String(cookie.dropFirst("session=".count).prefix { $0 != ";" })
            let token = try #require(SessionCodec.token(fromCookieValue: value))
            let session = await harness.invoker.sessions.session(fromToken: token, now: harness.clock.now)
            #expect(session?.id == id && session?.email == "alice@example.com")
            // The trimmed password is the one stored.
            let signin = try await harness.http(
                "auth-signin", body: #"{"email":"alice@example.com","password":"secret"}"#)
            #expect(signin.status == 200)
        }
    }

    @Test func eachBadFieldGetsItsOwnError() async throws {
        try await Self.withHarness { harness in
            let both = try await harness.http("auth-signup", body: #"{"email":"not-an-email","password":"abc"}"#)
            #expect(both.status == 400)
            #expect(both.errorFields == ["email", "password"])
            let missing = try await harness.http("auth-signup", body: "{}")
            #expect(missing.errorFields == ["email", "password"])
            let noBody = try await harness.http("auth-signup")
            #expect(noBody.status == 400 && noBody.errorFields == ["email", "password"])
            let wrongTypes = try await harness.http("auth-signup", body: #"{"email":42,"password":["secret"]}"#)
            #expect(wrongTypes.status == 400 && wrongTypes.errorFields == ["email", "password"])
        }
    }

    @Test(arguments: [
        ("a@b.co", "abcd", true), ("a@b.co", "   abc   ", false), ("a@b.co", String(repeating: "x", count: 128), true),
        ("a@b.co", String(repeating: "x", count: 129), false), ("a@b", "abcd", false), ("@b.co", "abcd", false),
        ("a b@c.co", "abcd", false), ("a@b..co", "abcd", false),
    ])
    func validatesEmailAndPasswordLength(email: String, password: String, valid: Bool) async throws {
        try await Self.withHarness { harness in
            let response = try await harness.http(
                "auth-signup", json: .object(["email": .string(email), "password": .string(password)]))
            #expect(
                (response.status == 201) == valid,
                "\(email) / \(password.count) chars -> \(response.status) \(response.errorMessages)")
        }
    }

    @Test func refusesAnEmailInUseWhateverItsCaseOrSpacing() async throws {
        try await Self.withHarness { harness in
            let response1 = try await harness.http(
                "auth-signup", body: #"{"email":"bob@example.com","password":"secret"}"#)
            #expect(response1.status == 201)
            let again = try await harness.http(
                "auth-signup", body: #"{"email":" BOB@example.com","password":"other1"}"#)
            #expect(again.status == 400)
            #expect(again.errorMessages == ["Email in use"])
            #expect(again.errorFields == [nil])
        }
    }

    @Test func fieldErrorsComeBeforeEmailInUse() async throws {
        try await Self.withHarness { harness in
            _ = try await harness.http("auth-signup", body: #"{"email":"bob@example.com","password":"secret"}"#)
            let response = try await harness.http("auth-signup", body: #"{"email":"bob@example.com","password":"ab"}"#)
            #expect(response.errorFields == ["password"])
        }
    }

    @Test func malformedJSONIsA400InTheErrorShape() async throws {
        try await Self.withHarness { harness in
            for body in ["{", "[1,2]", "\"text\"", "null"] {
                let response = try await harness.http("auth-signup", body: body)
                #expect(response.status == 400, "\(body)")
                #expect(response.errors.count == 1 && response.errorFields == [nil], "\(body)")
            }
            let wrongType = try await harness.http(
                "auth-signup", body: #"{"email":"a@b.co","password":"abcd"}"#, headers: ["content-type": "text/plain"])
            #expect(wrongType.status == 400)
            let charset = try await harness.http(
                "auth-signup", body: #"{"email":"a@b.co","password":"abcd"}"#,
                headers: ["content-type": "application/json; charset=utf-8"])
            #expect(charset.status == 201)
        }
    }

    @Test func acceptsAJSONBodyWithoutContentType() async throws {
        try await Self.withHarness { harness in
            let request = HTTPRequest(
                method: "POST", path: "/api/users/signup", body: #"{"email":"c@d.co","password":"abcd"}"#)
            let response2 = try await harness.send("auth-signup", request)
            #expect(response2.status == 201)
        }
    }
}
