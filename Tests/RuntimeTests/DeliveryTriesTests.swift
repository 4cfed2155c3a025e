import Foundation
import Testing

@testable import Runtime

/// ``DeliveryTries`` alone: every answer a consumer can give, in each mode, and what is decided.
@Suite struct DeliveryTriesTests {
    static let policy = RetryPolicy(initialDelay: 1, maximumDelay: 8, maximumDeferrals: 4)
    static let now = Date(timeIntervalSince1970: 1_000)

    static func tries(attempts: Int = 0, deferrals: Int = 0, mode: DeliveryTries.Mode = .delivery) -> DeliveryTries {
        DeliveryTries(attempts: attempts, deferrals: deferrals, limit: 3, policy: policy, mode: mode)
    }

    @Test(arguments: [EventOutcome.handled, .duplicate], [DeliveryTries.Mode.delivery, .redrive])
    func anAnswerThatHandledItAdvancesAndStartsTheCountsOver(outcome: EventOutcome, mode: DeliveryTries.Mode) {
        var tries = Self.tries(attempts: 2, deferrals: 3, mode: mode)
        #expect(tries.record(outcome, now: Self.now) == .advance)
        #expect(tries.attempts == 0 && tries.deferrals == 0)
    }

    @Test(arguments: [DeliveryTries.Mode.delivery, .redrive])
    func aRejectionIsDeadLetteredAtOnce(mode: DeliveryTries.Mode) {
        var tries = Self.tries(mode: mode)
        #expect(tries.record(.rejected("bad shape"), now: Self.now) == .deadLetter(reason: "bad shape"))
        #expect(tries.attempts == 0)
    }

    @Test func aFailureIsRetriedWithBackoffUntilTheLimitThenDeadLettered() {
        var tries = Self.tries()
        #expect(tries.attempt == 1)
        #expect(
            tries.record(.failed("down"), now: Self.now)
                == .retry(at: Self.now.addingTimeInterval(1), failure: "down", overdue: false))
        #expect(tries.attempts == 1 && tries.attempt == 2)
        #expect(
            tries.record(.failed("down"), now: Self.now)
                == .retry(at: Self.now.addingTimeInterval(2), failure: "down", overdue: false))
        // The third try is the last the limit allows.
        #expect(tries.record(.failed("still down"), now: Self.now) == .deadLetter(reason: "still down"))
        #expect(tries.attempts == 0)
    }

    @Test func aDeferralWaitsWithoutUsingAnAttemptAndIsSaidLouderOnceOverdue() {
        var tries = Self.tries(attempts: 1)
        #expect(
            tries.record(.deferred("order unknown"), now: Self.now)
                == .retry(at: Self.now.addingTimeInterval(2), failure: "order unknown", overdue: false))
        #expect(tries.attempts == 1 && tries.deferrals == 1)
        _ = tries.record(.deferred("order unknown"), now: Self.now)
        // Three deferrals: as many as the attempts a failure gets, so it now holds up its subscription.
        #expect(
            tries.record(.deferred("order unknown"), now: Self.now)
                == .retry(at: Self.now.addingTimeInterval(8), failure: "order unknown", overdue: true))
        #expect(tries.attempts == 1 && tries.deferrals == 3)
    }

    @Test func aDeferralPastThePolicysBoundIsDeadLettered() {
        var tries = Self.tries(deferrals: 3)
        #expect(
            tries.record(.deferred("order unknown"), now: Self.now)
                == .deadLetter(reason: "still waiting after 4 tries: order unknown"))
        #expect(tries.deferrals == 0)
    }

    /// A failure backs off by its attempts; a deferral by every try so far, failed or deferred.
    @Test func aFailureBacksOffByItsAttemptsADeferralByAllTheTries() {
        var tries = Self.tries(deferrals: 2)
        #expect(
            tries.record(.failed("down"), now: Self.now)
                == .retry(at: Self.now.addingTimeInterval(1), failure: "down", overdue: false))
        #expect(
            tries.record(.deferred("waiting"), now: Self.now)
                == .retry(at: Self.now.addingTimeInterval(8), failure: "waiting", overdue: true))
    }

    @Test func aRedrivenLetterCountsADeferralAsAFailure() {
        var tries = Self.tries(mode: .redrive)
        #expect(
            tries.record(.deferred("waiting"), now: Self.now)
                == .retry(at: Self.now.addingTimeInterval(1), failure: "waiting", overdue: false))
        #expect(tries.attempts == 1 && tries.deferrals == 0)
        _ = tries.record(.deferred("waiting"), now: Self.now)
        #expect(tries.record(.deferred("waiting"), now: Self.now) == .deadLetter(reason: "waiting"))
    }

    @Test func aRedrivenLetterThatHadUsedItsAttemptsIsDeadAgainAtItsFirstFailure() {
        var tries = Self.tries(attempts: 3, mode: .redrive)
        #expect(tries.record(.failed("down"), now: Self.now) == .deadLetter(reason: "down"))
    }
}
