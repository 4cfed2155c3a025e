import Foundation

/// How often and how soon a failing delivery is tried again before it is dead-lettered.
public struct RetryPolicy: Sendable, Equatable {
    /// The delay before the second attempt; each later one doubles it.
    public var initialDelay: TimeInterval
    /// The longest delay between two attempts.
    public var maximumDelay: TimeInterval

    /// Creates a policy.
    public init(initialDelay: TimeInterval = 0.25, maximumDelay: TimeInterval = 60) {
        self.initialDelay = initialDelay
        self.maximumDelay = maximumDelay
    }

    /// The delay after `attempts` failed attempts (1 after the first failure).
    public func delay(afterAttempts attempts: Int) -> TimeInterval {
        let exponent = Double(max(0, min(attempts - 1, 30)))
        return min(maximumDelay, initialDelay * pow(2, exponent))
    }
}
