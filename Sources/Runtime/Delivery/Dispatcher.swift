import Foundation
import FunctionKit
import Logging
import SQLKit
import Synchronization

/// Moves every service's outbox to the functions subscribed to its subjects, as CloudEvents.
///
/// Delivery is at-least-once and in commit order per subscription: each subscription keeps a cursor per
/// publishing service and hands events to its consumer one at a time. The consumer records the event in
/// its inbox in the same transaction as its effect, so a redelivery changes nothing. A failing event stays
/// at the head of its subscription and is retried with exponential backoff; after the consumer's attempts
/// are used up it is dead-lettered and the subscription moves on. An event the consumer defers (it depends
/// on one not yet delivered: ``EventOutcome/deferred(_:)``) is retried with the same backoff without using
/// up attempts, up to ``RetryPolicy/maximumDeferrals``. Dead letters put back by a redrive are delivered
/// again outside the commit order.
///
/// With ``Routing/sink(attempts:)`` there is one consumer, the sink (`K_SINK`, a Knative Broker say), that
/// takes every event once, in commit order per publisher, and fans it out to its subscribers itself.
public actor Dispatcher {
    /// A function subscribed to a subject, with how many attempts it gets.
    public struct Subscription: Sendable, Hashable {
        /// The consuming function, or ``Dispatcher/sinkConsumer``.
        public var consumer: String
        /// The subject it takes; `nil` for every subject (the sink).
        public var subject: String?
        /// Attempts before an event is dead-lettered.
        public var attempts: Int
    }

    /// Where each outbox event goes.
    public enum Routing: Sendable, Equatable {
        /// To every function subscribed to its subject, each subscription with its own cursor.
        case subscriptions
        /// Once to a sink that routes it on (`K_SINK`), with one cursor per publisher.
        case sink(attempts: Int)
    }

    /// The consumer name the sink's cursors and dead letters are kept under; no function can be named so.
    public static let sinkConsumer = "K_SINK"

    private struct CursorKey: Hashable {
        var consumer: String
        var publisher: String
    }

    private struct Cursor {
        var position: Int64 = 0
        var attempts = 0
        /// Tries that were deferred (the event's dependency had not arrived): they set the backoff but
        /// never use up attempts.
        var deferrals = 0
        var nextAttemptAt: Date?
        /// How far the outbox was read without finding this subscription's subject (not stored).
        var scanned: Int64 = 0
    }

    /// The subscriptions, in manifest order.
    public let subscriptions: [Subscription]
    private let context: DeliveryContext
    private let settings: PassSettings
    private var cursors: [CursorKey: Cursor] = [:]
    private var passing = false
    private let loop: WakeLoop
    private var logger: Logger { loop.logger }

    /// Creates a dispatcher for every subscription of the context's registry, handing events to its target;
    /// with `routing` `.sink`, every event goes to the target once, as ``sinkConsumer``. Subscriptions are
    /// served side by side, or one after another in manifest order with `settings.serially`.
    public init(_ context: DeliveryContext, routing: Routing = .subscriptions, settings: PassSettings = PassSettings())
    {
        self.context = context
        self.settings = settings
        loop = WakeLoop(
            context, component: "dispatcher", doorbell: context.commits.published, failure: "delivery pass failed")
        let registry = context.registry
        switch routing {
        case .subscriptions:
            subscriptions = registry.entries.compactMap { entry in
                guard case .subscription(let subject) = entry.declaration.trigger else { return nil }
                return Subscription(consumer: entry.name, subject: subject, attempts: registry.attempts(of: entry.name))
            }
        case .sink(let attempts):
            subscriptions = [Subscription(consumer: Self.sinkConsumer, subject: nil, attempts: max(1, attempts))]
        }
    }

    /// The attempts `consumer` gets: its subscription's, else its function's.
    private func attempts(of consumer: String) -> Int {
        subscriptions.first { $0.consumer == consumer }?.attempts ?? context.registry.attempts(of: consumer)
    }

    /// The services whose outboxes are read.
    private var publishers: [String] { context.registry.services.keys.sorted() }

    /// Delivers everything due now: new outbox events, retries whose backoff has passed, redriven dead
    /// letters. Subscriptions are served concurrently, each in its own commit order; one whose pass fails
    /// (its consumer's database unreachable, say) leaves the others to finish, and so does a publisher whose
    /// outbox cannot be read. The first error is thrown once the rest is done. Returns what was delivered and
    /// when the next retry falls due.
    public func deliverDue() async throws -> DeliveryPass {
        guard !passing else { return DeliveryPass() }
        passing = true
        defer { passing = false }
        var latest: [String: Int64] = [:]
        var unreadable: (any Error)?
        for publisher in publishers {
            do {
                latest[publisher] = try await latestSeq(of: publisher)
            } catch {
                // Its subscribers skip it this pass; the others' events still go out.
                unreadable = unreadable ?? error
            }
        }
        let heads = latest
        let storage = context.storage
        var parts: [@Sendable () async throws -> DeliveryPass] = subscriptions.map { subscription in
            {
                try await storage.withLease("dispatch:\(subscription.consumer)") {
                    try await self.drain(subscription, heads: heads)
                } ?? DeliveryPass()
            }
        }
        parts.append {
            try await storage.withLease("dispatch:redrive") { try await self.redriveDue() } ?? DeliveryPass()
        }
        if let unreadable { parts.append { throw unreadable } }
        return try await DeliveryPass.gathering(parts, serially: settings.serially)
    }

    /// The dispatcher's part of `GET /health/ready`: ready once its loop has run, and as long as it moves — a
    /// pass starts, ends or delivers an event at least every `limit` seconds.
    public nonisolated func readiness(limit: TimeInterval) -> ReadinessCheck {
        let loop = self.loop
        return ReadinessCheck(name: "delivery") { loop.stall(limit: limit) }
    }

    /// Has `metrics` read, before each scrape, the dead letters by consumer and each subscription's backlog:
    /// the events of its subject, from every publisher, after its cursor.
    public nonisolated func report(to metrics: RuntimeMetrics) {
        let context = self.context
        let subscriptions = self.subscriptions
        metrics.addCollector {
            if let database = try? await context.databases.delivery(),
                let letters = try? await DeadLetters(database: database).list(state: .dead)
            {
                // Every consumer of an event or a timer reads 0 until it has a dead letter.
                var counts = Dictionary(subscriptions.map { ($0.consumer, 0) }, uniquingKeysWith: +)
                for entry in context.registry.entries {
                    if case .schedule = entry.declaration.trigger { counts[entry.name] = 0 }
                }
                for letter in letters { counts[letter.consumer, default: 0] += 1 }
                metrics.deadLetters(counts)
            }
            guard let cursors = try? await DeliveryCursors.open(context.storage) else { return }
            var waiting: [String: Int] = [:]
            for subscription in subscriptions {
                guard let rows = try? await cursors.rows(of: subscription.consumer) else { continue }
                let positions = Dictionary(rows.map { ($0.publisher, $0.position) }, uniquingKeysWith: max)
                var count = 0
                for publisher in context.registry.services.keys {
                    guard let database = try? await context.databases.database(for: publisher) else { continue }
                    count +=
                        (try? await Outbox(database).count(
                            after: positions[publisher] ?? 0, subject: subscription.subject)) ?? 0
                }
                waiting[subscription.consumer, default: 0] += count
            }
            metrics.eventsWaiting(waiting)
        }
    }

    /// Asks ``run(resync:)`` to return once the delivery in progress has finished.
    public nonisolated func stop() {
        loop.stop()
    }

    private nonisolated var isStopping: Bool { loop.isStopping }

    /// Delivers until cancelled: a pass, then sleep until a commit publishes something, a retry falls due,
    /// or `resync` passes (to see commits made by other processes on the same data directory).
    public func run(resync: Duration = .seconds(2)) async {
        await loop.run(resync: resync) { try await self.deliverDue() }
    }

    /// Reads the stored cursors of `consumer`, keeping how far this runtime scanned past a cursor nobody
    /// else moved.
    private func reloadCursors(of consumer: String) async throws {
        for row in try await DeliveryCursors(database: runtimeDatabase()).rows(of: consumer) {
            let key = CursorKey(consumer: row.consumer, publisher: row.publisher)
            var fresh = Cursor(
                position: row.position, attempts: row.attempts, deferrals: row.deferrals,
                nextAttemptAt: row.nextAttemptAt, scanned: row.position)
            if let cached = cursors[key], cached.position == row.position {
                fresh.scanned = max(cached.scanned, row.position)
            }
            cursors[key] = fresh
        }
    }

    private func runtimeDatabase() async throws -> any ServiceDatabase {
        try await context.databases.delivery()
    }

    /// The highest number in `publisher`'s outbox, once its committed rows are numbered.
    private func latestSeq(of publisher: String) async throws -> Int64 {
        try await Outbox(context.databases.database(for: publisher)).head()
    }

    /// Delivers one subscription's due events from every publisher. Its cursors are read again first:
    /// another runtime sharing the storage may have moved them since this one last held the subscription's
    /// lease. Each publisher's events are a queue of their own: one waiting for a retry, or one whose outbox
    /// cannot be read, holds up only itself, and the first error is thrown once the others are done.
    private func drain(_ subscription: Subscription, heads: [String: Int64]) async throws -> DeliveryPass {
        try await reloadCursors(of: subscription.consumer)
        var pass = DeliveryPass()
        var failure: (any Error)?
        for publisher in publishers where !isStopping {
            guard let head = heads[publisher] else { continue }
            do {
                try await drain(subscription, publisher: publisher, head: head, into: &pass)
            } catch {
                failure = failure ?? error
            }
        }
        if let failure { throw failure }
        return pass
    }

    /// Delivers `subscription`'s due events from `publisher`'s outbox up to `head`, stopping at the first
    /// one that waits for a retry.
    private func drain(_ subscription: Subscription, publisher: String, head: Int64, into pass: inout DeliveryPass)
        async throws
    {
        let key = CursorKey(consumer: subscription.consumer, publisher: publisher)
        while !isStopping {
            var cursor = cursors[key] ?? Cursor()
            guard max(cursor.position, cursor.scanned) < head else { return }
            if let next = cursor.nextAttemptAt, next > context.clock.now {
                pass.due(at: next)
                return
            }
            let from = max(cursor.position, cursor.scanned)
            let events = try await Outbox(context.databases.database(for: publisher)).events(
                after: from, subject: subscription.subject, limit: settings.batchSize)
            guard !events.isEmpty else {
                cursor.scanned = head
                cursors[key] = cursor
                return
            }
            // Successes move the cursor in memory and are stored once per batch: a crash in between only
            // redelivers events their consumers' inboxes already hold.
            var unsaved = false
            for outboxEvent in events {
                guard !isStopping else { break }
                let delivery = try await deliver(outboxEvent, to: subscription, key: key)
                loop.beat()
                pass.deliveries.append(delivery)
                unsaved = delivery.outcome == .handled || delivery.outcome == .duplicate
                if let next = cursors[key]?.nextAttemptAt {
                    pass.due(at: next)
                    return
                }
            }
            if unsaved, let cursor = cursors[key] { try await save(cursor, key: key, lastError: nil) }
        }
    }

    /// Delivers one event and carries out what ``DeliveryTries`` decides on the subscription's cursor.
    private func deliver(_ outboxEvent: OutboxEvent, to subscription: Subscription, key: CursorKey) async throws
        -> Delivery
    {
        var cursor = cursors[key] ?? Cursor()
        var tries = DeliveryTries(
            attempts: cursor.attempts, deferrals: cursor.deferrals, limit: subscription.attempts, policy: settings.retry
        )
        let attempt = tries.attempt
        let result = try await context.deliver(outboxEvent.event, to: subscription.consumer, operation: "deliver")
        let now = context.clock.now
        let action = tries.record(result.outcome, now: now)
        var lastError: String?
        switch action {
        case .advance:
            cursor.position = outboxEvent.seq
            cursor.nextAttemptAt = nil
            if case .handled = result.outcome {
                context.metrics?.delivered(
                    function: subscription.consumer, lag: now.timeIntervalSince(outboxEvent.publishedAt))
            }
        case .retry(let at, let failure, let overdue):
            lastError = failure
            cursor.nextAttemptAt = at
            let deferred = if case .deferred = result.outcome { true } else { false }
            // A deferral past what a failure would be allowed holds up the subscription: said louder.
            logger.log(
                level: overdue ? .warning : .info,
                deferred ? "delivery deferred, will retry" : "delivery failed, will retry",
                metadata: [
                    "consumer": "\(subscription.consumer)", "event": "\(outboxEvent.event.id)",
                    "attempt": "\(attempt)", "deferrals": "\(tries.deferrals)", "reason": "\(failure)",
                ])
        case .deadLetter(let reason):
            lastError = reason
            try await DeadLetters(database: runtimeDatabase()).add(
                kind: .event, consumer: subscription.consumer, origin: key.publisher, event: outboxEvent.event,
                error: reason, attempts: attempt, now: now)
            logger.warning(
                "event dead-lettered",
                metadata: [
                    "consumer": "\(subscription.consumer)", "event": "\(outboxEvent.event.id)",
                    "attempts": "\(attempt)", "error": "\(reason)",
                ])
            cursor.position = outboxEvent.seq
            cursor.nextAttemptAt = nil
        }
        cursor.attempts = tries.attempts
        cursor.deferrals = tries.deferrals
        cursors[key] = cursor
        if lastError != nil { try await save(cursor, key: key, lastError: lastError) }
        return Delivery(
            consumer: subscription.consumer, event: outboxEvent.event, origin: .outbox(publisher: key.publisher),
            attempt: attempt, outcome: result.outcome, effects: result.effects,
            deadLettered: action.isDeadLetter, trace: result.trace)
    }

    private func save(_ cursor: Cursor, key: CursorKey, lastError: String?) async throws {
        try await DeliveryCursors(database: runtimeDatabase()).save(
            DeliveryCursors.Row(
                consumer: key.consumer, publisher: key.publisher, position: cursor.position, attempts: cursor.attempts,
                deferrals: cursor.deferrals, nextAttemptAt: cursor.nextAttemptAt, lastError: lastError))
    }

    /// Delivers the redriven dead letters that are due.
    private func redriveDue() async throws -> DeliveryPass {
        let letters = DeadLetters(database: try await runtimeDatabase())
        let now = context.clock.now
        var pass = DeliveryPass()
        for letter in try await letters.list(state: .redrive) where !isStopping {
            if letter.nextAttemptAt > now {
                pass.due(at: letter.nextAttemptAt)
                continue
            }
            pass.deliveries.append(try await redeliver(letter, into: letters))
        }
        return pass
    }

    /// Sends a redriven dead letter again and records what ``DeliveryTries`` decides.
    private func redeliver(_ letter: DeadLetter, into letters: DeadLetters) async throws -> Delivery {
        var tries = DeliveryTries(
            attempts: letter.attempts, limit: attempts(of: letter.consumer), policy: settings.retry, mode: .redrive)
        let attempt = tries.attempt
        let result = try await context.deliver(letter.event, to: letter.consumer, operation: "redrive")
        let now = context.clock.now
        let action = tries.record(result.outcome, now: now)
        try await letters.settle(letter, attempt: attempt, action: action, now: now)
        return Delivery(
            consumer: letter.consumer, event: letter.event, origin: .redrive(deadLetter: letter.id), attempt: attempt,
            outcome: result.outcome, effects: result.effects, deadLettered: action.isDeadLetter, trace: result.trace)
    }
}
