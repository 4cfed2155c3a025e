import Foundation
import Synchronization

/// Where a handler gets the time from. Handlers never call `Date()` themselves, so tests can move time.
public protocol WallClock: Sendable {
    /// The current time.
    var now: Date { get }
}

/// The real clock.
public struct SystemClock: WallClock {
    /// Creates the real clock.
    public init() {}

    public var now: Date { Date() }
}

/// A clock that stands still until a test moves it.
public final class TestClock: WallClock {
    private let current: Mutex<Date>

    /// Creates a clock showing `start` (by default 2026-01-01T00:00:00Z).
    public init(_ start: Date = Date(timeIntervalSince1970: 1_767_225_600)) {
        current = Mutex(start)
    }

    public var now: Date { current.withLock { $0 } }

    /// Moves the clock forward by `interval` seconds.
    public func advance(by interval: TimeInterval) {
        current.withLock { $0 += interval }
    }

    /// Sets the clock to `date`.
    public func set(_ date: Date) {
        current.withLock { $0 = date }
    }
}

extension Date {
    /// The date as ISO 8601 UTC with milliseconds, e.g. `2026-01-01T00:15:00.000Z`.
    public var iso8601: String {
        formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }

    /// The date an ISO 8601 UTC timestamp names, with or without fractional seconds; `nil` if it is not one.
    public static func parseISO8601(_ text: String) -> Date? {
        (try? Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse(text))
            ?? (try? Date.ISO8601FormatStyle().parse(text))
    }

    /// Milliseconds since the epoch.
    public var epochMilliseconds: Int64 {
        Int64((timeIntervalSince1970 * 1000).rounded())
    }

    /// The date `milliseconds` after the epoch.
    public init(epochMilliseconds milliseconds: Int64) {
        self.init(timeIntervalSince1970: TimeInterval(milliseconds) / 1000)
    }
}
