import Foundation
import FunctionKit
import Logging
import Synchronization

/// The loop the dispatcher and the scheduler run in `serve`: a pass, then sleep on the clock until the pass's
/// next due time, a ring of the doorbell, or `resync` — whichever comes first — until stopped or cancelled.
///
/// Passes run at high priority. Delivery and timers are where the runtime keeps its promises (an event
/// reaches its consumers within milliseconds, an order expires on time), and under a load of requests the
/// executor's queue is full of request work: at the requests' priority, a subscription's consumer — one event
/// at a time, in order — fell seconds behind a POST load that each of its events had to wait through.
final class WakeLoop: Sendable {
    private let doorbell: Doorbell
    private let clock: any WallClock
    /// The logger of the loop's component.
    let logger: Logger
    private let failure: String
    private let stopping = Mutex(false)
    /// When the loop last showed it was moving: a pass starting or ending, an event or a timer done.
    private let lastBeat = Mutex<Date?>(nil)

    /// The loop of `component` in `context`, woken by `doorbell`, logging a failed pass as `failure`.
    init(_ context: DeliveryContext, component: String, doorbell: Doorbell, failure: String) {
        self.doorbell = doorbell
        self.clock = context.clock
        var logger = context.logger
        logger[metadataKey: "component"] = "\(component)"
        self.logger = logger
        self.failure = failure
    }

    /// Whether ``stop()`` was called: a pass under way ends early at its next event or timer.
    var isStopping: Bool { stopping.withLock { $0 } }

    /// Records that the loop is moving; the dispatcher and the scheduler call it after each event or timer, so
    /// that a long pass through a backlog is not taken for a stalled one.
    func beat() {
        let now = clock.now
        lastBeat.withLock { $0 = now }
    }

    /// Why the loop is not ready, or `nil` when it is: it has not started, or it has not moved for longer
    /// than `limit` seconds (a pass stuck on a store, or the loop no longer running).
    func stall(limit: TimeInterval) -> String? {
        guard let last = lastBeat.withLock({ $0 }) else { return "not started" }
        let quiet = clock.now.timeIntervalSince(last)
        guard quiet > limit else { return nil }
        return "no progress for \(Int(quiet)) s"
    }

    /// Asks ``run(resync:pass:)`` to return once the pass in progress has finished.
    func stop() {
        stopping.withLock { $0 = true }
        doorbell.ring()
    }

    /// Runs `pass` until stopped or cancelled.
    func run(resync: Duration, pass: @escaping @Sendable () async throws -> DeliveryPass) async {
        // Everything the loop awaits (the dispatcher's actor, the invocations, the commits it leads) runs at
        // its priority. (A child task given a higher priority than its parent's did not keep up: measured.)
        let loop = Task(priority: .high) {
            let resyncSeconds = Double(resync.components.seconds) + Double(resync.components.attoseconds) / 1e18
            while !self.isStopping && !Task.isCancelled {
                var wake = self.clock.now.addingTimeInterval(resyncSeconds)
                self.beat()
                do {
                    if let next = try await pass().nextDue { wake = min(wake, next) }
                    self.beat()
                } catch {
                    self.logger.error("\(self.failure)", metadata: ["error": "\(error)"])
                }
                await self.doorbell.wait(until: wake, on: self.clock)
            }
        }
        await withTaskCancellationHandler {
            await loop.value
        } onCancel: {
            loop.cancel()
        }
    }
}
