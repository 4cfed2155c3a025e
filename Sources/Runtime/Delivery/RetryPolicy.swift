import Foundation

/// How often and how soon a failing delivery is tried again before it is dead-lettered.
public struct RetryPolicy: Sendable, Equatable {
    /// The delay before the second attempt; each later one doubles it.
    public var initialDelay: TimeInterval
    /// The longest delay between two attempts.
    public var maximumDelay: TimeInterval
    /// How many times an event may be deferred (it waits for another) before it is dead-lettered all the
    /// same: a wait that long means the event it waits for is not coming (it was dead-lettered itself, say),
    /// and the deferred one would otherwise hold up its subscription until someone noticed. 70 is about an
    /// hour with the default delays.
    public var maximumDeferrals: Int

    /// Creates a policy.
    public init(initialDelay: TimeInterval = 0.25, maximumDelay: TimeInterval = 60, maximumDeferrals: Int = 70) {
        self.initialDelay = initialDelay
        self.maximumDelay = maximumDelay
        self.maximumDeferrals = maximumDeferrals
    }

    /// The delay after `attempts` failed attempts (1 after the first failure).
    public func delay(afterAttempts attempts: Int) -> TimeInterval {
        let exponent = Double(max(0, min(attempts - 1, 30)))
        return min(maximumDelay, initialDelay * pow(2, exponent))
    }
}
