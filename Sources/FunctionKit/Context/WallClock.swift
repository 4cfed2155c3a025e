import Foundation

/// Where the runtime and its handlers get the time from, and how they wait for it. Handlers never call
/// `Date()` themselves, and the runtime's deadlines, doorbells and wake loops sleep on the clock they are
/// given, so a test (or `ticketing invoke --advance`) can move time instead of waiting for it.
public protocol WallClock: Sendable {
    /// The current time.
    var now: Date { get }

    /// Returns once the clock shows `deadline` or later; throws `CancellationError` if the task is cancelled
    /// first.
    func sleep(until deadline: Date) async throws
}

/// The real clock.
public struct SystemClock: WallClock {
    /// Creates the real clock.
    public init() {}

    public var now: Date { Date() }

    public func sleep(until deadline: Date) async throws {
        let seconds = deadline.timeIntervalSinceNow
        guard seconds > 0 else { return try Task.checkCancellation() }
        try await Task.sleep(for: .milliseconds(Int64((seconds * 1000).rounded(.up))))
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
