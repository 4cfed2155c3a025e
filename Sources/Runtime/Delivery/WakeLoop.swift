import Foundation
import FunctionKit
import Logging

/// The loop the dispatcher and the scheduler run in `serve`: a pass, then sleep until the pass's next due
/// time, a ring of the doorbell, or `resync` — whichever comes first — until stopped or cancelled.
///
/// Passes run at high priority. Delivery and timers are where the runtime keeps its promises (an event
/// reaches its consumers within milliseconds, an order expires on time), and under a load of requests the
/// executor's queue is full of request work: at the requests' priority, a subscription's consumer — one event
/// at a time, in order — fell seconds behind a POST load that each of its events had to wait through.
enum WakeLoop {
    static func run(
        doorbell: Doorbell, clock: any WallClock, resync: Duration, logger: Logger, failure: String,
        isStopping: @escaping @Sendable () -> Bool, pass: @escaping @Sendable () async throws -> DeliveryPass
    ) async {
        // Everything the loop awaits (the dispatcher's actor, the invocations, the commits it leads) runs at
        // its priority. (A child task given a higher priority than its parent's did not keep up: measured.)
        let loop = Task(priority: .high) {
            while !isStopping() && !Task.isCancelled {
                var timeout = resync
                do {
                    if let next = try await pass().nextDue {
                        let wait = next.timeIntervalSince(clock.now)
                        timeout = min(resync, .milliseconds(max(0, Int64((wait * 1000).rounded(.up)))))
                    }
                } catch {
                    logger.error("\(failure)", metadata: ["error": "\(error)"])
                }
                await doorbell.wait(timeout: timeout)
            }
        }
        await withTaskCancellationHandler {
            await loop.value
        } onCancel: {
            loop.cancel()
        }
    }
}
