import Foundation
import FunctionKit
import Logging

/// The loop the dispatcher and the scheduler run in `serve`: a pass, then sleep until the pass's next due
/// time, a ring of the doorbell, or `resync` — whichever comes first — until stopped or cancelled.
enum WakeLoop {
    static func run(
        doorbell: Doorbell, clock: any WallClock, resync: Duration, logger: Logger, failure: String,
        isStopping: @Sendable () -> Bool, pass: @Sendable () async throws -> DeliveryPass
    ) async {
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
}
