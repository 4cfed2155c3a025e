import Foundation
import FunctionKit

/// Runs, in the caller's task, everything an invocation set off: deliveries of what it published, what
/// those published in turn, and — as a clock is moved — the scheduled invocations that fall due.
///
/// `ticketing invoke --follow` and the in-process test harness use it instead of the background loops, so
/// a cascade runs to the end deterministically with no sleeping.
public struct Cascade: Sendable {
    /// Delivers outbox events.
    public let dispatcher: Dispatcher
    /// Fires timers.
    public let scheduler: Scheduler

    /// Why a cascade did not come to rest.
    public struct Unsettled: Error, CustomStringConvertible {
        /// Passes made.
        public var passes: Int

        public var description: String {
            "the cascade was still delivering after \(passes) passes (an event loop between functions?)"
        }
    }

    /// Creates a cascade over `invoker`'s functions, handing events to `target` (the functions themselves by
    /// default). With `serially`, every pass does its work one piece at a time in a fixed order.
    public init(
        invoker: Invoker, target: DeliveryTarget? = nil, retry: RetryPolicy = RetryPolicy(), serially: Bool = false
    ) {
        let context = invoker.deliveryContext(target: target)
        let settings = PassSettings(retry: retry, serially: serially)
        dispatcher = Dispatcher(context, settings: settings)
        scheduler = Scheduler(context, settings: settings)
    }

    /// Delivers and fires everything due at the clock's current time, until nothing is left. Retries and
    /// timers due later are left for ``advance(_:to:)``; their earliest time is the pass's `nextDue`.
    public func settle(maxPasses: Int = 1000) async throws -> DeliveryPass {
        var total = DeliveryPass()
        for _ in 0..<maxPasses {
            var pass = try await dispatcher.deliverDue()
            pass.merge(try await scheduler.fireDue())
            total.deliveries += pass.deliveries
            total.nextDue = pass.nextDue
            if pass.deliveries.isEmpty { return total }
        }
        throw Unsettled(passes: maxPasses)
    }

    /// Moves `clock` forward to `target`, stopping at each time something falls due on the way (in order)
    /// and settling there.
    public func advance(_ clock: ManualClock, to target: Date, maxSteps: Int = 10_000) async throws -> DeliveryPass {
        var total = try await settle()
        for _ in 0..<maxSteps {
            guard let next = total.nextDue, next <= target else { break }
            clock.set(max(clock.now, next))
            let pass = try await settle()
            total.deliveries += pass.deliveries
            total.nextDue = pass.nextDue
        }
        if clock.now < target { clock.set(target) }
        let last = try await settle()
        total.deliveries += last.deliveries
        total.nextDue = last.nextDue
        return total
    }
}
