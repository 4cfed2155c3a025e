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

/// How the dispatcher and the scheduler go about a pass.
public struct PassSettings: Sendable, Equatable {
    /// When a failing delivery is tried again, and when it is dead-lettered.
    public var retry: RetryPolicy
    /// How many events or timers are read at a time.
    public var batchSize: Int
    /// Whether the parts of a pass (subscriptions, services) are served one after another in a fixed order,
    /// so that a pass does the same things in the same order every time (the simulation), rather than side
    /// by side.
    public var serially: Bool

    /// Creates settings.
    public init(retry: RetryPolicy = RetryPolicy(), batchSize: Int = 100, serially: Bool = false) {
        self.retry = retry
        self.batchSize = batchSize
        self.serially = serially
    }
}
