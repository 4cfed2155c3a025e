import Foundation

/// The tries of one delivery so far — an event to one consumer, a timer, a redriven dead letter — and the one
/// decision taken after each: advance, try again at a time, or dead-letter.
///
/// A pure state machine (no I/O, no clock of its own): ``record(_:now:)`` takes the consumer's answer and
/// returns the action; the dispatcher, the scheduler and redrive only carry it out on their own tables. The
/// retry policy, the attempt limit and the bound on deferrals live here, so the three cannot drift apart.
public struct DeliveryTries: Sendable, Equatable {
    /// How a delivery is being tried.
    public enum Mode: Sendable, Equatable {
        /// A first delivery (an event from the outbox, a timer): a deferral waits for another event without
        /// using up an attempt, up to the policy's bound on deferrals.
        case delivery
        /// A dead letter sent again: it has waited already, so a deferral counts as a failure.
        case redrive
    }

    /// What to do after a try.
    public enum Action: Sendable, Equatable {
        /// Done: the consumer handled it (or had before). Move past it.
        case advance
        /// Try again at `at`. `failure` is the consumer's message; `overdue` says the delivery has waited
        /// longer than its attempts would allow a failure (a deferral that holds up its subscription).
        case retry(at: Date, failure: String, overdue: Bool)
        /// Give up: keep it as a dead letter with `reason`, and move past it.
        case deadLetter(reason: String)

        /// Whether the delivery was given up.
        public var isDeadLetter: Bool {
            if case .deadLetter = self { true } else { false }
        }
    }

    /// Failed tries so far (a deferral does not count, except when redriven).
    public private(set) var attempts: Int
    /// Deferrals so far.
    public private(set) var deferrals: Int
    /// How many failed tries are allowed.
    public let limit: Int
    /// How soon to try again.
    public let policy: RetryPolicy
    /// First delivery or redrive.
    public let mode: Mode

    /// The tries of a delivery that has failed `attempts` times and been deferred `deferrals` times.
    public init(attempts: Int = 0, deferrals: Int = 0, limit: Int, policy: RetryPolicy, mode: Mode = .delivery) {
        self.attempts = attempts
        self.deferrals = deferrals
        self.limit = limit
        self.policy = policy
        self.mode = mode
    }

    /// The number of the try being made: one more than the tries that failed.
    public var attempt: Int { attempts + 1 }

    /// Records the consumer's answer to a try made at `now` and returns what to do. After `.advance` and
    /// `.deadLetter` the counts start over, as for the next delivery.
    public mutating func record(_ outcome: EventOutcome, now: Date) -> Action {
        switch (outcome, mode) {
        case (.handled, _), (.duplicate, _):
            return finished(.advance)
        case (.rejected(let message), _):
            return finished(.deadLetter(reason: message))
        case (.deferred(let message), .delivery):
            guard deferrals + 1 < policy.maximumDeferrals else {
                return finished(.deadLetter(reason: "still waiting after \(deferrals + 1) tries: \(message)"))
            }
            deferrals += 1
            return .retry(
                at: now.addingTimeInterval(policy.delay(afterAttempts: attempts + deferrals)), failure: message,
                overdue: deferrals >= limit)
        case (.failed(let message), _), (.deferred(let message), .redrive):
            guard attempt < limit else { return finished(.deadLetter(reason: message)) }
            attempts += 1
            return .retry(
                at: now.addingTimeInterval(policy.delay(afterAttempts: attempts)), failure: message, overdue: false)
        }
    }

    private mutating func finished(_ action: Action) -> Action {
        attempts = 0
        deferrals = 0
        return action
    }
}
