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
    private let invoker: Invoker
    private let target: DeliveryTarget
    private let retry: RetryPolicy
    private let batchSize: Int
    private let serially: Bool
    private let logger: Logger
    private var passing = false
    private let loop: WakeLoop

    /// The CloudEvent `source` of scheduled invocations.
    public static let source = "/ticketing/scheduler"

    /// The CloudEvent `type` of a scheduled invocation of `function`.
    public static func eventType(for function: String) -> String {
        "schedule:\(function)"
    }

    /// Creates a scheduler over every service of `invoker`'s registry, firing timers at `target` (the
    /// functions in this process by default). Services are served side by side; `serially` serves them one
    /// after another in name order, so that a pass does the same things in the same order every time.
    public init(
        invoker: Invoker, target: DeliveryTarget? = nil, retry: RetryPolicy = RetryPolicy(), batchSize: Int = 100,
        serially: Bool = false
    ) {
        self.invoker = invoker
        self.target = target ?? .local(invoker)
        self.retry = retry
        self.batchSize = batchSize
        self.serially = serially
        var logger = invoker.logger
        logger[metadataKey: "component"] = "scheduler"
        self.logger = logger
        loop = WakeLoop(
            doorbell: invoker.commits.scheduled, clock: invoker.clock, logger: logger, failure: "scheduler pass failed")
    }

    private struct Timer: Sendable {
        var id: String
        var function: String
        var key: String
        var payload: JSONValue
        var dueAt: Date
        var attempts: Int
        /// Fires the function deferred (``EventOutcome/deferred(_:)``); they never use up attempts.
        var deferrals: Int

        init(row: any SQLRow) throws {
            id = try row.decode(column: "id", as: String.self)
            function = try row.decode(column: "function", as: String.self)
            key = try row.decode(column: "timer_key", as: String.self)
            payload = try JSONValue(parsing: Data(try row.decode(column: "payload", as: String.self).utf8))
            dueAt = Date(epochMilliseconds: try row.decode(column: "due_at", as: Int64.self))
            attempts = try row.decode(column: "attempts", as: Int.self)
            deferrals = try row.decode(column: "deferrals", as: Int.self)
        }

        var event: CloudEvent {
            CloudEvent(
                id: id, source: Scheduler.source, type: Scheduler.eventType(for: function), time: dueAt.iso8601,
                data: payload, subject: key)
        }
    }

    /// Fires every timer due now, oldest first within each service; services are served side by side, so
    /// a slow target (one waiting on Stripe, say) never holds back another service's timers. Returns what
    /// was invoked and when the next timer is due.
    public func fireDue() async throws -> DeliveryPass {
        guard !passing else { return DeliveryPass() }
        passing = true
        defer { passing = false }
        let storage = invoker.storage
        return try await DeliveryPass.gathering(
            invoker.registry.services.keys.sorted().map { service in
                {
                    try await storage.withLease("schedule:\(service)") { try await self.fireDue(in: service) }
                        ?? DeliveryPass()
                }
            }, serially: serially)
    }

    private func fireDue(in service: String) async throws -> DeliveryPass {
        var pass = DeliveryPass()
        let database = try await invoker.database(for: service)
        while true {
            let now = invoker.clock.now
            let due = try await database.read { sql in
                try await sql.select().column("*").from(MessagingTables.timers)
                    .where("due_at", .lessThanOrEqual, now.epochMilliseconds)
                    .orderBy("due_at").limit(self.batchSize).all().map(Timer.init(row:))
            }
            for timer in due where !isStopping {
                pass.deliveries.append(try await fire(timer, service: service, in: database))
            }
            if due.count < batchSize || isStopping { break }
        }
        if let next = try await nextDue(in: database) { pass.due(at: next) }
        return pass
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

    private func nextDue(in database: any ServiceDatabase) async throws -> Date? {
        try await database.read { sql in
            try await sql.select().column(SQLFunction("min", args: SQLColumn("due_at")), as: "next")
                .from(MessagingTables.timers).first()?.decode(column: "next", as: Int64?.self)
        }.map { Date(epochMilliseconds: $0) }
    }

    /// Fires one timer and carries out what ``DeliveryTries`` decides on the timer's row.
    private func fire(_ timer: Timer, service: String, in database: any ServiceDatabase) async throws -> Delivery {
        var tries = DeliveryTries(
            attempts: timer.attempts, deferrals: timer.deferrals, limit: invoker.registry.attempts(of: timer.function),
            policy: retry)
        let attempt = tries.attempt
        let result = try await target.deliver(timer.event, timer.function)
        let now = invoker.clock.now
        let action = tries.record(result.outcome, now: now)
        switch action {
        case .advance:
            try await remove(timer, from: database)
        case .retry(let at, let failure, let overdue):
            try await reschedule(timer, attempts: tries.attempts, deferrals: tries.deferrals, at: at, in: database)
            if case .deferred = result.outcome {
                logger.log(
                    level: overdue ? .warning : .info, "scheduled invocation deferred, will retry",
                    metadata: ["function": "\(timer.function)", "key": "\(timer.key)", "reason": "\(failure)"])
            }
        case .deadLetter(let reason):
            try await deadLetter(timer, service: service, error: reason, attempts: attempt, now: now, in: database)
        }
        return Delivery(
            consumer: timer.function, event: timer.event, origin: .timer(service: service, key: timer.key),
            attempt: attempt, outcome: result.outcome, effects: result.effects,
            deadLettered: action.isDeadLetter)
    }

    /// Gives up on `timer`: it moves to the dead letters with `error`.
    private func deadLetter(
        _ timer: Timer, service: String, error: String, attempts: Int, now: Date, in database: any ServiceDatabase
    ) async throws {
        try await DeadLetters.open(invoker.storage).add(
            kind: .schedule, consumer: timer.function, origin: service, event: timer.event, error: error,
            attempts: attempts, now: now)
        try await remove(timer, from: database)
        logger.warning(
            "scheduled invocation dead-lettered",
            metadata: ["function": "\(timer.function)", "key": "\(timer.key)", "error": "\(error)"])
    }

    /// Moves `timer` to `retryAt`, storing its tries so far.
    private func reschedule(
        _ timer: Timer, attempts: Int, deferrals: Int, at retryAt: Date, in database: any ServiceDatabase
    ) async throws {
        try await database.transaction { sql in
            try await sql.update(MessagingTables.timers)
                .set("attempts", to: attempts)
                .set("deferrals", to: deferrals)
                .set("due_at", to: retryAt.epochMilliseconds)
                .where("id", .equal, timer.id).run()
        }
    }

    /// Removes the timer by id: if the key was scheduled again meanwhile, the new timer stays.
    private func remove(_ timer: Timer, from database: any ServiceDatabase) async throws {
        try await database.transaction { sql in
            try await sql.delete(from: MessagingTables.timers).where("id", .equal, timer.id).run()
        }
    }
}
