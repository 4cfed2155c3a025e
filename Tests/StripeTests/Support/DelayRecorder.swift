import Foundation

/// Stands in for `Task.sleep` between retries: records each wait instead of waiting.
final class DelayRecorder: @unchecked Sendable {
    private let lock = NSLock()
    private var recorded: [Duration] = []

    /// The waits asked for, in order.
    var delays: [Duration] { lock.withLock { recorded } }

    /// The closure to hand to `LiveStripeClient(sleep:)`.
    var sleep: @Sendable (Duration) async throws -> Void {
        { [self] duration in lock.withLock { recorded.append(duration) } }
    }
}
