import Foundation
import FunctionKit
import Logging
import SQLKit
import Synchronization

/// Fires the scheduled invocations handlers asked for, at or after their due time.
///
/// Timers live in the requesting service's database, written in the same transaction as its state change,
/// so they survive restarts: a timer that fell due while the runtime was down fires when it is back. The
/// target function records the timer's id in its inbox, so a timer fired twice (a crash between the
/// invocation and removing the timer) takes effect once. A failing invocation is retried with backoff and
/// dead-lettered after the function's attempts; a deferred one (``EventOutcome/deferred(_:)``) is retried
/// with the same backoff without using them up, up to ``RetryPolicy/maximumDeferrals``.
public actor Scheduler {
    private let context: DeliveryContext
    private let settings: PassSettings
    private var passing = false
    private let loop: WakeLoop
    private var logger: Logger { loop.logger }

    /// The CloudEvent `source` of scheduled invocations.
    public static let source = ScheduledTimer.source

    /// The CloudEvent `type` of a scheduled invocation of `function`.
    public static func eventType(for function: String) -> String {
        ScheduledTimer.eventType(for: function)
    }

    /// Creates a scheduler over every service of the context's registry, firing timers at its target. Services
    /// are served side by side, or one after another in name order with `settings.serially`.
    /// Has `metrics` read, before each scrape, the timers set and those due, by the function they invoke.
    public nonisolated func report(to metrics: RuntimeMetrics) {
        let context = self.context
        metrics.addCollector {
            var pending: [String: Int] = [:]
            var due: [String: Int] = [:]
            let now = context.clock.now
            for service in context.registry.services.keys {
                guard let database = try? await context.databases.database(for: service),
                    let counts = try? await Timers(database).counts(dueBy: now)
                else { continue }
                pending.merge(counts.pending, uniquingKeysWith: +)
                due.merge(counts.due, uniquingKeysWith: +)
            }
            // Every schedule target reads 0 until it has a timer.
            for entry in context.registry.entries {
                guard case .schedule = entry.declaration.trigger else { continue }
                pending[entry.name, default: 0] += 0
                due[entry.name, default: 0] += 0
            }
            metrics.timers(pending: pending, due: due)
        }
    }

    public init(_ context: DeliveryContext, settings: PassSettings = PassSettings()) {
        self.context = context
        self.settings = settings
        loop = WakeLoop(
            context, component: "scheduler", doorbell: context.commits.scheduled, failure: "scheduler pass failed")
    }

    /// Fires every timer due now, oldest first within each service; services are served side by side, so
    /// a slow target (one waiting on Stripe, say) never holds back another service's timers. Returns what
    /// was invoked and when the next timer is due.
    public func fireDue() async throws -> DeliveryPass {
        guard !passing else { return DeliveryPass() }
        passing = true
        defer { passing = false }
        let storage = context.storage
        return try await DeliveryPass.gathering(
            context.registry.services.keys.sorted().map { service in
                {
                    try await storage.withLease("schedule:\(service)") { try await self.fireDue(in: service) }
                        ?? DeliveryPass()
                }
            }, serially: settings.serially)
    }

    private func fireDue(in service: String) async throws -> DeliveryPass {
        var pass = DeliveryPass()
        let timers = Timers(try await context.databases.database(for: service))
        while true {
            let due = try await timers.due(at: context.clock.now, limit: settings.batchSize)
            for timer in due where !isStopping {
                pass.deliveries.append(try await fire(timer, service: service, in: timers))
                loop.beat()
            }
            if due.count < settings.batchSize || isStopping { break }
        }
        if let next = try await timers.nextDue() { pass.due(at: next) }
        return pass
    }

    /// The scheduler's part of `GET /health/ready`: ready once its loop has run, and as long as it moves — a
    /// pass starts, ends or fires a timer at least every `limit` seconds.
    public nonisolated func readiness(limit: TimeInterval) -> ReadinessCheck {
        let loop = self.loop
        return ReadinessCheck(name: "timers") { loop.stall(limit: limit) }
    }

    /// Asks ``run(resync:)`` to return once the delivery in progress has finished.
    public nonisolated func stop() {
        loop.stop()
    }

    private nonisolated var isStopping: Bool { loop.isStopping }

    /// Fires timers until cancelled: a pass, then sleep until the next timer is due or a commit sets or
    /// withdraws one (or `resync` passes, to see timers set by other processes).
    public func run(resync: Duration = .seconds(2)) async {
        await loop.run(resync: resync) { try await self.fireDue() }
    }

    /// Fires one timer and carries out what ``DeliveryTries`` decides on the timer's row.
    private func fire(_ timer: ScheduledTimer, service: String, in timers: Timers) async throws -> Delivery {
        var tries = DeliveryTries(
            attempts: timer.attempts, deferrals: timer.deferrals, limit: context.registry.attempts(of: timer.function),
            policy: settings.retry)
        let attempt = tries.attempt
        if timer.attempts == 0 {
            // How late the first try starts (a retry's delay is the retry policy's, not lateness).
            context.metrics?.fired(function: timer.function, lateness: context.clock.now.timeIntervalSince(timer.dueAt))
        }
        let result = try await context.deliver(timer.event, to: timer.function, operation: "fire")
        let now = context.clock.now
        let action = tries.record(result.outcome, now: now)
        switch action {
        case .advance:
            try await timers.remove(timer)
        case .retry(let at, let failure, let overdue):
            try await timers.reschedule(timer, attempts: tries.attempts, deferrals: tries.deferrals, at: at)
            if case .deferred = result.outcome {
                logger.log(
                    level: overdue ? .warning : .info, "scheduled invocation deferred, will retry",
                    metadata: ["function": "\(timer.function)", "key": "\(timer.key)", "reason": "\(failure)"])
            }
        case .deadLetter(let reason):
            try await deadLetter(timer, service: service, error: reason, attempts: attempt, now: now, in: timers)
        }
        return Delivery(
            consumer: timer.function, event: timer.event, origin: .timer(service: service, key: timer.key),
            attempt: attempt, outcome: result.outcome, effects: result.effects,
            deadLettered: action.isDeadLetter, trace: result.trace)
    }

    /// Gives up on `timer`: it moves to the dead letters with `error`.
    private func deadLetter(
        _ timer: ScheduledTimer, service: String, error: String, attempts: Int, now: Date, in timers: Timers
    ) async throws {
        try await DeadLetters.open(context.storage).add(
            kind: .schedule, consumer: timer.function, origin: service, event: timer.event, error: error,
            attempts: attempts, now: now)
        try await timers.remove(timer)
        logger.warning(
            "scheduled invocation dead-lettered",
            metadata: ["function": "\(timer.function)", "key": "\(timer.key)", "error": "\(error)"])
    }
}
