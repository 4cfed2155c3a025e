import Foundation
import Testing

@testable import Stripe

@Suite struct StripeRetryPolicyTests {
    @Test func backoffDoublesFromTheInitialDelayUpToTheMaximum() {
        let policy = StripeRetryPolicy(maxRetries: 5, initialDelay: .milliseconds(500), maxDelay: .seconds(3))
        #expect(
            (1...5).map { policy.delay(beforeRetry: $0) } == [
                .milliseconds(500), .seconds(1), .seconds(2), .seconds(3), .seconds(3),
            ])
    }

    @Test func retryAfterIsHonouredButBounded() {
        let policy = StripeRetryPolicy.standard
        #expect(policy.delay(beforeRetry: 1, retryAfter: .seconds(2)) == .seconds(2))
        #expect(policy.delay(beforeRetry: 1, retryAfter: .milliseconds(100)) == .milliseconds(500))
        #expect(policy.delay(beforeRetry: 1, retryAfter: .seconds(3600)) == .seconds(5))
    }

    @Test func immediateNeverWaits() {
        let policy = StripeRetryPolicy.immediate(maxRetries: 3)
        #expect((1...3).map { policy.delay(beforeRetry: $0, retryAfter: .seconds(9)) } == [.zero, .zero, .zero])
    }

    @Test func hugeRetryNumbersDoNotOverflow() {
        #expect(StripeRetryPolicy.standard.delay(beforeRetry: 10_000) == .seconds(5))
    }

    @Test(
        "What may be retried, for a request with an idempotency key",
        arguments: [
            (StripeRetryPolicy.AttemptOutcome.noAnswer, true),
            (.answer(status: 500, shouldRetry: nil), true),
            (.answer(status: 503, shouldRetry: nil), true),
            (.answer(status: 409, shouldRetry: nil), true),
            (.answer(status: 429, shouldRetry: nil), true),
            (.answer(status: 400, shouldRetry: nil), false),
            (.answer(status: 401, shouldRetry: nil), false),
            (.answer(status: 402, shouldRetry: nil), false),
            (.answer(status: 404, shouldRetry: nil), false),
            (.answer(status: 500, shouldRetry: false), false),
            (.answer(status: 429, shouldRetry: false), false),
            (.answer(status: 400, shouldRetry: true), true),
        ])
    func idempotentRetries(outcome: StripeRetryPolicy.AttemptOutcome, retried: Bool) {
        #expect(StripeRetryPolicy.standard.allowsRetry(after: outcome, attemptsSoFar: 1, idempotent: true) == retried)
    }

    @Test func withoutAnIdempotencyKeyOnlyRateLimitsAndExplicitRetriesAreRetried() {
        let policy = StripeRetryPolicy.standard
        #expect(!policy.allowsRetry(after: .noAnswer, attemptsSoFar: 1, idempotent: false))
        #expect(!policy.allowsRetry(after: .answer(status: 500, shouldRetry: nil), attemptsSoFar: 1, idempotent: false))
        #expect(policy.allowsRetry(after: .answer(status: 429, shouldRetry: nil), attemptsSoFar: 1, idempotent: false))
        #expect(policy.allowsRetry(after: .answer(status: 500, shouldRetry: true), attemptsSoFar: 1, idempotent: false))
    }

    @Test func theNumberOfRetriesIsBounded() {
        let policy = StripeRetryPolicy(maxRetries: 2)
        #expect(policy.allowsRetry(after: .noAnswer, attemptsSoFar: 2, idempotent: true))
        #expect(!policy.allowsRetry(after: .noAnswer, attemptsSoFar: 3, idempotent: true))
        #expect(!StripeRetryPolicy.never.allowsRetry(after: .noAnswer, attemptsSoFar: 1, idempotent: true))
    }
}
