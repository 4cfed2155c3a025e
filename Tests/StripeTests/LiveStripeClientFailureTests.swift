import Foundation
import Testing

@testable import Stripe

/// Stripe's error answers, retries and lost connections, against a fake Stripe on a loopback port.
@Suite struct LiveStripeClientFailureTests {
    static let request = ChargeRequest(
        amount: 1999, currency: "usd", token: "tok_visa", metadata: ["orderId": "o1"], idempotencyKey: "order-o1-a1")

    private func client(
        _ server: FakeStripeServer, retry: StripeRetryPolicy = .standard, delays: DelayRecorder = DelayRecorder()
    ) -> LiveStripeClient {
        LiveStripeClient(secretKey: "sk_test_x", baseURL: server.baseURL, retryPolicy: retry, sleep: delays.sleep)
    }

    private func chargeError(_ client: LiveStripeClient, _ request: ChargeRequest = request) async -> StripeError? {
        do {
            _ = try await client.charge(request)
            return nil
        } catch {
            return error as? StripeError
        }
    }

    @Test func aCardErrorIsADeclineAndIsNotRetried() async throws {
        let server = try FakeStripeServer([
            .error(
                status: 402, type: "card_error", message: "Your card has insufficient funds.", code: "card_declined",
                declineCode: "insufficient_funds")
        ])
        defer { server.stop() }
        let error = await chargeError(client(server))
        #expect(
            error
                == .cardDeclined(
                    message: "Your card has insufficient funds.", code: "card_declined",
                    declineCode: "insufficient_funds"))
        #expect(server.requests.count == 1)
    }

    @Test func anInvalidRequestIsNotRetried() async throws {
        let server = try FakeStripeServer([
            .error(
                status: 400, type: "invalid_request_error", message: "No such token: 'tok_nope'",
                code: "resource_missing", param: "source")
        ])
        defer { server.stop() }
        let error = await chargeError(client(server))
        #expect(
            error == .invalidRequest(message: "No such token: 'tok_nope'", code: "resource_missing", param: "source"))
        #expect(server.requests.count == 1)
    }

    @Test func aRefusedKeyIsAnAuthenticationError() async throws {
        let server = try FakeStripeServer([
            .error(status: 401, type: "invalid_request_error", message: "Invalid API Key provided: sk_test_x")
        ])
        defer { server.stop() }
        #expect(await chargeError(client(server)) == .authentication(message: "Invalid API Key provided: sk_test_x"))
        #expect(server.requests.count == 1)
    }

    @Test func serverErrorsAreRetriedWithTheSameKeyThenReported() async throws {
        let server = try FakeStripeServer(
            [], otherwise: .error(status: 500, type: "api_error", message: "Something went wrong on Stripe's end."))
        defer { server.stop() }
        let delays = DelayRecorder()
        let error = await chargeError(client(server, delays: delays))
        #expect(error == .api(status: 500, message: "Something went wrong on Stripe's end."))
        #expect(server.requests.count == 3)
        #expect(Set(server.requests.map { $0.header("Idempotency-Key") }) == ["order-o1-a1"])
        #expect(Set(server.requests.map(\.body)).count == 1)
        #expect(delays.delays == [.milliseconds(500), .seconds(1)])
    }

    @Test func stripeShouldRetryFalseStopsRetrying() async throws {
        let server = try FakeStripeServer([
            .error(
                status: 500, type: "api_error", message: "replayed", headers: ["Stripe-Should-Retry": "false"])
        ])
        defer { server.stop() }
        #expect(await chargeError(client(server)) == .api(status: 500, message: "replayed"))
        #expect(server.requests.count == 1)
    }

    @Test func stripeShouldRetryTrueRetriesEvenA400() async throws {
        let server = try FakeStripeServer([
            .error(
                status: 400, type: "invalid_request_error", message: "lock", code: "lock_timeout",
                headers: ["Stripe-Should-Retry": "true"]),
            .ok(LiveStripeClientRequestTests.chargeJSON),
        ])
        defer { server.stop() }
        let charge = try await client(server).charge(Self.request)
        #expect(charge.id == "ch_3PqTest")
        #expect(server.requests.count == 2)
    }

    @Test func rateLimitsAreRetriedThenReported() async throws {
        let server = try FakeStripeServer(
            [],
            otherwise: .error(
                status: 429, type: "rate_limit_error", message: "Too many requests hit the API too quickly."))
        defer { server.stop() }
        let error = await chargeError(client(server, retry: .immediate(maxRetries: 2)))
        #expect(error == .rateLimited(message: "Too many requests hit the API too quickly."))
        #expect(server.requests.count == 3)
    }

    @Test func aRateLimitThenSuccessChargesOnceWithTheSameKeyAfterRetryAfter() async throws {
        let server = try FakeStripeServer([
            .error(status: 429, type: "rate_limit_error", message: "Too many requests", headers: ["Retry-After": "2"]),
            .ok(LiveStripeClientRequestTests.chargeJSON),
        ])
        defer { server.stop() }
        let delays = DelayRecorder()
        let charge = try await client(server, delays: delays).charge(Self.request)
        #expect(charge == Charge(id: "ch_3PqTest", amount: 1999, currency: "usd"))
        #expect(server.requests.count == 2)
        #expect(server.requests.map { $0.header("Idempotency-Key") } == ["order-o1-a1", "order-o1-a1"])
        #expect(server.requests[0].body == server.requests[1].body)
        #expect(delays.delays == [.seconds(2)])
    }

    @Test func anIdempotencyConflictIsRetried() async throws {
        let server = try FakeStripeServer([
            .error(
                status: 409, type: "invalid_request_error", message: "There is currently another in-progress request",
                code: "idempotency_key_in_use"),
            .ok(LiveStripeClientRequestTests.chargeJSON),
        ])
        defer { server.stop() }
        _ = try await client(server).charge(Self.request)
        #expect(server.requests.count == 2)
    }

    @Test func aDroppedConnectionIsRetriedWithTheSameKey() async throws {
        let server = try FakeStripeServer([.hangUp, .ok(LiveStripeClientRequestTests.chargeJSON)])
        defer { server.stop() }
        let charge = try await client(server).charge(Self.request)
        #expect(charge.id == "ch_3PqTest")
        #expect(server.requests.map { $0.header("Idempotency-Key") } == ["order-o1-a1", "order-o1-a1"])
    }

    @Test func aRefusedConnectionIsRetriedThenReported() async throws {
        let port = try FakeStripeServer.closedPort()
        let delays = DelayRecorder()
        let client = LiveStripeClient(
            secretKey: "sk_test_x", baseURL: URL(string: "http://127.0.0.1:\(port)") ?? URL(fileURLWithPath: "/"),
            sleep: delays.sleep)
        let error = await chargeError(client)
        guard case .connection(let message) = error else {
            Issue.record("expected a connection error, got \(String(describing: error))")
            return
        }
        #expect(message.contains("127.0.0.1:\(port)"))
        #expect(delays.delays.count == 2)
        #expect(error?.isRetryable == true)
    }

    @Test func noAnswerWithinTheTimeoutIsAConnectionError() async throws {
        let server = try FakeStripeServer([.stall(seconds: 2)])
        defer { server.stop() }
        let client = LiveStripeClient(
            secretKey: "sk_test_x", baseURL: server.baseURL, requestTimeout: .milliseconds(300), retryPolicy: .never)
        // The server answers after 2 s: only the 300 ms timeout can turn this into a connection error.
        let error = await chargeError(client)
        guard case .connection = error else {
            Issue.record("expected a connection error, got \(String(describing: error))")
            return
        }
    }

    @Test func aNonJSONAnswerIsUnexpected() async throws {
        let server = try FakeStripeServer([.answer(status: 200, body: "<html>hello</html>")])
        defer { server.stop() }
        #expect(await chargeError(client(server)) == .unexpectedResponse(status: 200, body: "<html>hello</html>"))
    }

    @Test func anHTMLBadGatewayIsAnAPIErrorAfterRetries() async throws {
        let server = try FakeStripeServer([], otherwise: .answer(status: 502, body: "<html>Bad Gateway</html>"))
        defer { server.stop() }
        #expect(
            await chargeError(client(server, retry: .immediate()))
                == .api(status: 502, message: "HTTP 502: <html>Bad Gateway</html>"))
        #expect(server.requests.count == 3)
    }

    @Test func aPaymentIntentNeedingAuthenticationIsADecline() async throws {
        let server = try FakeStripeServer([
            .ok(
                #"{"id": "pi_1", "object": "payment_intent", "amount": 1999, "currency": "usd", "status": "requires_action", "next_action": {"type": "use_stripe_sdk"}}"#
            )
        ])
        defer { server.stop() }
        var request = Self.request
        request.token = "pm_card_authenticationRequired"
        let error = await chargeError(client(server), request)
        #expect(error == .authenticationRequired)
        #expect(error?.clientCode == "authentication_required")
    }

    @Test func aPaymentIntentThatFailedCarriesItsLastPaymentError() async throws {
        let server = try FakeStripeServer([
            .ok(
                #"{"id": "pi_1", "status": "requires_payment_method", "last_payment_error": {"type": "card_error", "code": "card_declined", "decline_code": "generic_decline", "message": "Your card was declined."}}"#
            )
        ])
        defer { server.stop() }
        var request = Self.request
        request.token = "pm_card_visa"
        #expect(
            await chargeError(client(server), request)
                == .cardDeclined(
                    message: "Your card was declined.", code: "card_declined", declineCode: "generic_decline"))
    }

    @Test func aPaymentIntentStillProcessingIsUnexpected() async throws {
        let server = try FakeStripeServer([.ok(#"{"id": "pi_1", "status": "processing"}"#)])
        defer { server.stop() }
        var request = Self.request
        request.token = "pm_card_visa"
        #expect(
            await chargeError(client(server), request)
                == .unexpectedResponse(status: 200, body: "PaymentIntent pi_1 is processing, not succeeded"))
    }

    @Test func aRefundThatFailedIsReported() async throws {
        let server = try FakeStripeServer([
            .ok(#"{"id": "re_1", "status": "failed", "failure_reason": "expired_or_canceled_card"}"#)
        ])
        defer { server.stop() }
        await #expect(
            throws: StripeError.unexpectedResponse(
                status: 200, body: "Refund re_1 is failed (expired_or_canceled_card)")
        ) {
            try await client(server).refund(RefundRequest(chargeID: "ch_1", idempotencyKey: "r1"))
        }
    }
}
