import Foundation
import FunctionKit
import Synchronization

/// Wakes one waiting loop: a ring while nobody waits is kept, so the next wait returns at once.
///
/// The dispatcher and the scheduler each sleep on one of these; commits ring them, so work is picked up
/// as soon as it exists rather than on a polling interval.
public final class Doorbell: Sendable {
    private struct State {
        var rung = false
        var waiter: CheckedContinuation<Void, Never>?
    }

    private let state = Mutex(State())

    /// Creates a doorbell that has not rung.
    public init() {}

    /// Wakes the waiter, or the next one to wait.
    public func ring() {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            if let waiter = state.waiter {
                state.waiter = nil
                return waiter
            }
            state.rung = true
            return nil
        }
        waiter?.resume()
    }

    /// Waits until the bell rings, `clock` shows `deadline`, or the task is cancelled. One waiter at a time.
    public func wait(until deadline: Date?, on clock: any WallClock) async {
        let alarm = deadline.map { deadline in
            Task { [weak self] in
                guard (try? await clock.sleep(until: deadline)) != nil else { return }
                self?.ring()
            }
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { state -> Bool in
                    if state.rung || Task.isCancelled {
                        state.rung = false
                        return true
                    }
                    state.waiter = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            ring()
        }
        state.withLock { $0.rung = false }
        alarm?.cancel()
    }
}
