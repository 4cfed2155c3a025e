import Foundation
import Testing

@testable import Stripe

/// Stripe's error objects (and what fakes send instead) mapped to ``StripeError``.
@Suite struct StripeErrorMappingTests {
    private func map(_ status: Int, _ body: String) -> StripeError {
        StripeError.fromResponse(status: status, body: Data(body.utf8))
    }

    @Test func cardErrorsAreDeclinesWithTheirCodes() {
        let body = """
            {"error": {"type": "card_error", "message": "Your card has insufficient funds.", "code": "card_declined",
             "decline_code": "insufficient_funds", "charge": "ch_1", "doc_url": "https://example.invalid"}}
            """
        let error = map(402, body)
        #expect(
            error
                == .cardDeclined(
                    message: "Your card has insufficient funds.", code: "card_declined",
                    declineCode: "insufficient_funds"))
        #expect(error.clientCode == "insufficient_funds")
        #expect(!error.isRetryable)
    }

    @Test func a402TypedAsAnInvalidRequestIsStillADecline() {
        // localstripe sends declines this way.
        let error = map(
            402,
            #"{"error": {"type": "invalid_request_error", "message": "Your card was declined.", "code": "card_declined"}}"#
        )
        #expect(error == .cardDeclined(message: "Your card was declined.", code: "card_declined", declineCode: nil))
        #expect(error.clientCode == "card_declined")
    }

    @Test func invalidRequestsKeepCodeAndParam() {
        let body =
            #"{"error": {"type": "invalid_request_error", "message": "No such token: 'tok_x'", "code": "resource_missing", "param": "source"}}"#
        #expect(
            map(400, body)
                == .invalidRequest(message: "No such token: 'tok_x'", code: "resource_missing", param: "source"))
        #expect(
            map(404, body)
                == .invalidRequest(message: "No such token: 'tok_x'", code: "resource_missing", param: "source"))
    }

    @Test func idempotencyErrorsAreInvalidRequestsWithACode() {
        let body =
            #"{"error": {"type": "idempotency_error", "message": "Keys for idempotent requests can only be used with the same parameters they were first used with."}}"#
        #expect(
            map(400, body)
                == .invalidRequest(
                    message:
                        "Keys for idempotent requests can only be used with the same parameters they were first used with.",
                    code: "idempotency_error", param: nil))
    }

    @Test func refusedKeysAreAuthenticationErrors() {
        #expect(
            map(
                401,
                #"{"error": {"type": "invalid_request_error", "message": "Invalid API Key provided: sk_test_****"}}"#)
                == .authentication(message: "Invalid API Key provided: sk_test_****"))
        #expect(
            map(403, #"{"error": {"type": "permission_error", "message": "The provided key does not have access."}}"#)
                == .authentication(message: "The provided key does not have access."))
        #expect(map(401, "Unauthorized") == .authentication(message: "HTTP 401 without a Stripe error object"))
    }

    @Test func rateLimitsConflictsAndServerErrors() {
        #expect(
            map(429, #"{"error": {"type": "rate_limit_error", "message": "Too many requests"}}"#)
                == .rateLimited(message: "Too many requests"))
        #expect(
            map(
                409,
                #"{"error": {"type": "invalid_request_error", "message": "in use", "code": "idempotency_key_in_use"}}"#)
                == .api(status: 409, message: "in use"))
        #expect(
            map(500, #"{"error": {"type": "api_error", "message": "Something went wrong"}}"#)
                == .api(status: 500, message: "Something went wrong"))
        #expect(
            map(502, "<html>Bad Gateway</html>") == .api(status: 502, message: "HTTP 502: <html>Bad Gateway</html>"))
        #expect(map(409, "{}").isRetryable)
    }

    @Test func anythingElseIsUnexpected() {
        #expect(map(400, "not json") == .unexpectedResponse(status: 400, body: "not json"))
        #expect(
            map(302, #"{"error": {"type": "weird", "message": "m"}}"#)
                == .unexpectedResponse(status: 302, body: #"{"error": {"type": "weird", "message": "m"}}"#))
        #expect(
            map(400, #"{"error": "flat string"}"#)
                == .unexpectedResponse(status: 400, body: #"{"error": "flat string"}"#))
    }

    @Test func messagesDefaultWhenStripeGivesNone() {
        #expect(
            map(400, #"{"error": {"type": "invalid_request_error"}}"#)
                == .invalidRequest(message: "HTTP 400 (invalid_request_error)", code: nil, param: nil))
    }
}
