import Contracts
import Foundation
import FunctionKit
import FunctionTesting
import Runtime
import SQLKit
import Testing
import Tickets

/// The dispatcher and the scheduler, driven step by step with a test clock.
@Suite struct DeliveryTests {
    func withAudit(_ body: (TestHarness, AuditService) async throws -> Void) async throws {
        let audit = AuditService()
        try await TestHarness.with(services: [audit.definition], manifest: AuditService.manifest) { harness in
            try await body(harness, audit)
        }
    }

    @Test func eventsReachTheirSubscriberOnceInCommitOrder() async throws {
        try await withAudit { harness, audit in
            try await AuditService.publish(["a", "b", "c"], harness.invoker, clock: harness.clock)
            let deliveries = try await harness.settle()
            #expect(deliveries.map(\.outcome) == [.handled, .handled, .handled])
            #expect(audit.seen.withLock { $0 } == ["a", "b", "c"].map { "audit-on-ticket-created:\($0)" })
            #expect(try await harness.settle().isEmpty)
            try await AuditService.publish(["d"], harness.invoker, clock: harness.clock)
            #expect(try await harness.settle().map(\.event.type) == ["ticket:created"])
            #expect(audit.seen.withLock { $0.count } == 4)
        }
    }

    /// The event a handler published and the one delivery reads back from the outbox are the same event.
    @Test func theEventDeliveredIsTheEventPublished() async throws {
        try await TestHarness.with(services: [TicketsService.definition()]) { harness in
            let seller = try await harness.token(userID: "seller", email: "seller@example.com")
            let created = try await harness.http(
                "tickets-create", body: #"{"title":"Opera","price":25}"#, token: seller)
            let published = try #require(created.published.first)
            let outbox = Outbox(try await harness.invoker.database(for: TicketsService.name))
            #expect(try await outbox.head() > 0)
            let stored = try await outbox.events(after: 0, limit: 10)
            #expect(stored.map(\.event) == [published])
        }
    }

    @Test func aFailingEventIsRetriedWithBackoffAndHoldsBackTheOnesAfterIt() async throws {
        try await withAudit { harness, audit in
            audit.fail("audit-on-ticket-created", times: 2)
            try await AuditService.publish(["a", "b"], harness.invoker, clock: harness.clock)
            let first = try await harness.cascade.settle()
            #expect(first.deliveries.map(\.attempt) == [1])
            #expect(first.nextDue == harness.clock.now.addingTimeInterval(0.25))
            #expect(audit.seen.withLock { $0 }.isEmpty)
            // Not yet due: nothing happens.
            harness.clock.advance(by: 0.2)
            #expect(try await harness.settle().isEmpty)
            // Second attempt at +0.25 s fails again; the third, 0.5 s later, succeeds and releases "b".
            let later = try await harness.advance(by: 1)
            #expect(later.map(\.attempt) == [2, 3, 1])
            #expect(audit.seen.withLock { $0 } == ["audit-on-ticket-created:a", "audit-on-ticket-created:b"])
            #expect(try await harness.deadLetters().isEmpty)
        }
    }

    @Test func anEventThatKeepsFailingIsDeadLetteredAndCanBeRedriven() async throws {
        try await withAudit { harness, audit in
            audit.fail("audit-on-ticket-created", times: 3)
            try await AuditService.publish(["a", "b"], harness.invoker, clock: harness.clock)
            let deliveries = try await harness.advance(by: 10)
            // Three attempts (the manifest's retries), then the subscription moves on to "b".
            #expect(deliveries.map(\.attempt) == [1, 2, 3, 1])
            #expect(deliveries.map(\.deadLettered) == [false, false, true, false])
            #expect(audit.seen.withLock { $0 } == ["audit-on-ticket-created:b"])
            let dead = try await harness.deadLetters()
            #expect(dead.count == 1)
            #expect(dead.first?.consumer == "audit-on-ticket-created")
            #expect(dead.first?.attempts == 3)
            #expect(dead.first?.error.contains("on purpose") == true)

            let letters = try await DeadLetters.open(harness.storage)
            let redriven = try await letters.redrive(nil, now: harness.clock.now)
            #expect(redriven == dead.map(\.id))
            let again = try await harness.settle()
            #expect(again.map(\.outcome) == [.handled])
            #expect(audit.seen.withLock { $0 } == ["audit-on-ticket-created:b", "audit-on-ticket-created:a"])
            #expect(try await harness.deadLetters().isEmpty)
        }
    }

    @Test func anEventWaitingForAnotherIsDeferredWithoutUsingUpItsAttempts() async throws {
        try await withAudit { harness, audit in
            // Twice the manifest's 3 attempts of waiting, then two real failures: only those count.
            audit.wait("audit-on-ticket-created", times: 6)
            audit.fail("audit-on-ticket-created", times: 2)
            try await AuditService.publish(["a", "b"], harness.invoker, clock: harness.clock)
            let deliveries = try await harness.advance(by: 600)
            #expect(
                deliveries.map(\.outcome.status) == Array(repeating: "deferred", count: 6) + [
                    "failed", "failed", "handled", "handled",
                ])
            #expect(deliveries.allSatisfy { !$0.deadLettered })
            #expect(audit.seen.withLock { $0 } == ["audit-on-ticket-created:a", "audit-on-ticket-created:b"])
            #expect(try await harness.deadLetters().isEmpty)
        }
    }

    @Test func aWaitThatNeverEndsIsDeadLetteredAfterAnHourOfTries() async throws {
        try await withAudit { harness, audit in
            audit.wait("audit-on-ticket-created", times: 1000)
            try await AuditService.publish(["a"], harness.invoker, clock: harness.clock)
            let deliveries = try await harness.advance(by: 2 * 3600)
            let limit = RetryPolicy().maximumDeferrals
            #expect(deliveries.count == limit)
            #expect(deliveries.map(\.deadLettered) == Array(repeating: false, count: limit - 1) + [true])
            let dead = try await harness.deadLetters()
            #expect(dead.first?.error.hasPrefix("still waiting after \(limit) tries: ") == true)
            audit.wait("audit-on-ticket-created", times: 0)
            try await DeadLetters.open(harness.storage).redrive(nil, now: harness.clock.now)
            #expect(try await harness.settle().map(\.outcome) == [.handled])
        }
    }

    @Test func deliveriesWaitingForARetryAreListed() async throws {
        try await withAudit { harness, audit in
            #expect(try await WaitingDelivery.list(harness.invoker.deliveryContext()).isEmpty)
            audit.wait("audit-on-ticket-created", times: 2)
            audit.fail("audit-fire", times: 1)
            try await AuditService.publish(["a"], harness.invoker, clock: harness.clock)
            try await AuditService.schedule("o1", at: harness.clock.now, harness.invoker, clock: harness.clock)
            _ = try await harness.settle()
            let waiting = try await WaitingDelivery.list(harness.invoker.deliveryContext())
            #expect(waiting.map(\.kind) == [.event, .schedule])
            #expect(waiting.map(\.consumer) == ["audit-on-ticket-created", "audit-fire"])
            #expect(waiting.map(\.deferrals) == [1, 0])
            #expect(waiting.map(\.attempts) == [0, 1])
            #expect(waiting.first?.lastError == "audit-on-ticket-created is waiting on purpose")
            #expect(waiting.last?.key == "o1")
            _ = try await harness.advance(by: 60)
            #expect(try await WaitingDelivery.list(harness.invoker.deliveryContext()).isEmpty)
        }
    }

    @Test func deferralsBackOffLikeFailures() async throws {
        try await withAudit { harness, audit in
            audit.wait("audit-on-ticket-created", times: 3)
            try await AuditService.publish(["a"], harness.invoker, clock: harness.clock)
            let start = harness.clock.now
            let first = try await harness.cascade.settle()
            #expect(first.deliveries.map(\.outcome.status) == ["deferred"])
            #expect(first.nextDue == start.addingTimeInterval(0.25))
            harness.clock.advance(by: 0.25)
            let second = try await harness.cascade.settle()
            #expect(second.deliveries.map(\.outcome.status) == ["deferred"])
            #expect(second.nextDue == start.addingTimeInterval(0.75))
        }
    }

    @Test func aRedrivenEventThatFailsAgainReturnsToTheList() async throws {
        try await withAudit { harness, audit in
            audit.fail("audit-on-ticket-created", times: 100)
            try await AuditService.publish(["a"], harness.invoker, clock: harness.clock)
            try await harness.advance(by: 10)
            let letters = try await DeadLetters.open(harness.storage)
            try await letters.redrive(nil, now: harness.clock.now)
            #expect(try await letters.list(state: .redrive).count == 1)
            let deliveries = try await harness.advance(by: 10)
            #expect(deliveries.map(\.attempt) == [1, 2, 3])
            #expect(try await letters.list(state: .dead).count == 1)
        }
    }

    @Test func aRedrivenLetterWhoseFunctionIsGoneIsRejectedWithoutStoppingDelivery() async throws {
        let audit = AuditService()
        let first = try await TestHarness.make(services: [audit.definition], manifest: AuditService.manifest)
        audit.fail("audit-on-ticket-created", times: 100)
        try await AuditService.publish(["a"], first.invoker, clock: first.clock)
        try await first.advance(by: 10)
        await first.close()

        // The runtime comes back without the consumer.
        let declaration = "  - name: audit-on-ticket-created\n    service: audit\n    subscribe: ticket:created\n"
        #expect(AuditService.manifest.contains(declaration))
        let service = audit.definition
        let second = try await TestHarness.make(
            services: [
                ServiceDefinition(
                    name: service.name, migrations: service.migrations,
                    functions: service.functions.filter { $0.name != "audit-on-ticket-created" })
            ],
            manifest: AuditService.manifest.replacingOccurrences(of: declaration, with: ""), directory: first.directory,
            clock: first.clock)
        let letters = try await DeadLetters.open(second.storage)
        try await letters.redrive(nil, now: second.clock.now)
        try await AuditService.schedule("later", at: second.clock.now, second.invoker, clock: second.clock)
        let deliveries = try await second.settle()
        #expect(deliveries.filter { $0.consumer == "audit-fire" }.map(\.outcome.status) == ["handled"])
        #expect(deliveries.filter { $0.consumer == "audit-on-ticket-created" }.map(\.outcome.status) == ["rejected"])
        let dead = try await letters.list(state: .dead)
        #expect(dead.map(\.consumer) == ["audit-on-ticket-created"])
        #expect(dead.first?.error.contains("audit-on-ticket-created") == true)
        await second.shutdown()
    }

    @Test func anEventTheConsumerCannotTakeIsDeadLetteredAtOnce() async throws {
        try await withAudit { harness, audit in
            try await AuditService.publish(["poison", "fine"], harness.invoker, clock: harness.clock)
            let deliveries = try await harness.settle()
            #expect(deliveries.map(\.outcome.status) == ["rejected", "handled"])
            #expect(deliveries.first?.deadLettered == true)
            #expect(try await harness.deadLetters().map(\.error) == ["poison pill"])
        }
    }

    @Test func aTimerFiresAtItsTimeAndNotBefore() async throws {
        try await withAudit { harness, audit in
            let due = harness.clock.now.addingTimeInterval(900)
            try await AuditService.schedule("o1", at: due, harness.invoker, clock: harness.clock)
            let early = try await harness.cascade.settle()
            #expect(early.deliveries.isEmpty)
            #expect(early.nextDue == due)
            #expect(try await harness.advance(by: 899.999).isEmpty)
            let fired = try await harness.advance(by: 0.001)
            #expect(fired.map(\.consumer) == ["audit-fire", "audit-on-expiration-complete"])
            #expect(audit.seen.withLock { $0 } == ["audit-on-expiration-complete:o1"])
            #expect(try await harness.advance(by: 3600).isEmpty)
        }
    }

    @Test func aCancelledTimerNeverFires() async throws {
        try await withAudit { harness, audit in
            try await AuditService.schedule(
                "o1", at: harness.clock.now.addingTimeInterval(60), harness.invoker, clock: harness.clock)
            try await AuditService.cancel("o1", harness.invoker, clock: harness.clock)
            #expect(try await harness.advance(by: 120).isEmpty)
        }
    }

    @Test func aTimerDueWhileTheRuntimeWasDownFiresOnceItIsBack() async throws {
        let audit = AuditService()
        let first = try await TestHarness.make(services: [audit.definition], manifest: AuditService.manifest)
        try await AuditService.schedule(
            "o1", at: first.clock.now.addingTimeInterval(60), first.invoker, clock: first.clock)
        try await AuditService.publish(["a"], first.invoker, clock: first.clock)
        await first.close()

        first.clock.advance(by: 3600)
        let second = try await TestHarness.make(
            services: [audit.definition], manifest: AuditService.manifest, directory: first.directory,
            clock: first.clock)
        let deliveries = try await second.settle()
        #expect(
            Set(deliveries.map(\.consumer))
                == ["audit-on-ticket-created", "audit-fire", "audit-on-expiration-complete"])
        #expect(try await second.settle().isEmpty)
        await second.shutdown()
    }

    @Test func aDeliveryRepeatedAfterACrashChangesNothingTwice() async throws {
        let audit = AuditService()
        let first = try await TestHarness.make(services: [audit.definition], manifest: AuditService.manifest)
        try await AuditService.publish(["a"], first.invoker, clock: first.clock)
        try await first.settle()
        // Lose the cursor, as if the runtime died between the consumer's commit and the cursor's.
        let runtime = try await first.storage.database(for: "runtime", migrations: [])
        try await runtime.transaction { sql in try await sql.delete(from: "delivery_cursors").run() }
        await first.close()
        let second = try await TestHarness.make(
            services: [audit.definition], manifest: AuditService.manifest, directory: first.directory,
            clock: first.clock)
        let again = try await second.settle()
        #expect(again.map(\.outcome) == [.duplicate])
        #expect(audit.seen.withLock { $0 } == ["audit-on-ticket-created:a"])
        await second.shutdown()
    }

    @Test func aDeferredScheduledInvocationIsRetriedWithoutUsingUpItsAttempts() async throws {
        try await withAudit { harness, audit in
            audit.wait("audit-fire", times: 5)
            audit.fail("audit-fire", times: 2)
            try await AuditService.schedule(
                "o1", at: harness.clock.now.addingTimeInterval(1), harness.invoker, clock: harness.clock)
            let deliveries = try await harness.advance(by: 600)
            #expect(
                deliveries.map(\.outcome.status)
                    == Array(repeating: "deferred", count: 5) + ["failed", "failed", "handled", "handled"])
            #expect(deliveries.last?.consumer == "audit-on-expiration-complete")
            #expect(try await harness.deadLetters().isEmpty)
        }
    }

    @Test func aFailingScheduledInvocationIsRetriedThenDeadLettered() async throws {
        try await withAudit { harness, audit in
            audit.fail("audit-fire", times: 1)
            try await AuditService.schedule(
                "o1", at: harness.clock.now.addingTimeInterval(1), harness.invoker, clock: harness.clock)
            let deliveries = try await harness.advance(by: 5)
            #expect(deliveries.map(\.consumer) == ["audit-fire", "audit-fire", "audit-on-expiration-complete"])
            #expect(deliveries.map(\.outcome.status) == ["failed", "handled", "handled"])

            audit.fail("audit-fire", times: 3)
            try await AuditService.schedule(
                "o2", at: harness.clock.now.addingTimeInterval(1), harness.invoker, clock: harness.clock)
            let given = try await harness.advance(by: 60)
            #expect(given.map(\.attempt) == [1, 2, 3])
            let dead = try await harness.deadLetters()
            #expect(dead.map(\.kind.rawValue) == ["schedule"])
            #expect(dead.first?.event.data == .object(["orderId": .string("o2")]))
            try await DeadLetters.open(harness.storage).redrive(nil, now: harness.clock.now)
            #expect(try await harness.settle().map(\.consumer) == ["audit-fire", "audit-on-expiration-complete"])
        }
    }
}

/// Handlers that run past their function's timeout.
@Suite struct TimeoutTests {
    @Test func aHandlerPastItsTimeoutFailsTheDeliveryAndIsRetried() async throws {
        let audit = AuditService()
        try await TestHarness.with(services: [audit.definition], manifest: AuditService.manifest) { harness in
            try await AuditService.publishOrder(harness.invoker, clock: harness.clock)
            // The time limit runs on the test clock: once the handler is under way with its limit set, moving
            // the clock past the limit times it out, with no real time spent.
            async let settled = harness.cascade.settle()
            await harness.clock.sleepers(atLeast: 1)
            harness.clock.advance(by: 0.05)
            let pass = try await settled
            guard case .failed(let message)? = pass.deliveries.first?.outcome else {
                Issue.record("expected a failed delivery, got \(pass.deliveries.map(\.outcome))")
                return
            }
            #expect(message == "audit-on-order-created timed out after 0.05 s")
            #expect(pass.nextDue != nil)
        }
    }
}

/// The background loops `serve` runs, woken by commits.
@Suite struct DeliveryLoopTests {
    /// The next `count` handled events. (The tests' time limit guards against a loop that never wakes: the
    /// loops sleep on the test clock, which nothing moves, so only a commit's doorbell can wake them.)
    static func next(_ count: Int, of audit: AuditService) async -> [String] {
        var labels: [String] = []
        for await label in audit.handled {
            labels.append(label)
            if labels.count == count { break }
        }
        return labels
    }

    @Test(.timeLimit(.minutes(1))) func theDispatcherDeliversWhatIsCommittedWhileItWaits() async throws {
        let audit = AuditService()
        try await TestHarness.with(services: [audit.definition], manifest: AuditService.manifest) { harness in
            let dispatcher = Dispatcher(harness.invoker.deliveryContext())
            // The resync falls due only when the test clock moves: only the commit's doorbell can wake it.
            let loop = Task { await dispatcher.run(resync: .seconds(3600)) }
            try await AuditService.publish(["a"], harness.invoker, clock: harness.clock)
            #expect(await Self.next(1, of: audit) == ["audit-on-ticket-created:a"])
            try await AuditService.publish(["b", "c"], harness.invoker, clock: harness.clock)
            #expect(await Self.next(2, of: audit) == ["audit-on-ticket-created:b", "audit-on-ticket-created:c"])
            dispatcher.stop()
            await loop.value
        }
    }

    @Test(.timeLimit(.minutes(1))) func theSchedulerWakesForATimerSetWhileItWaits() async throws {
        let audit = AuditService()
        try await TestHarness.with(services: [audit.definition], manifest: AuditService.manifest) { harness in
            let dispatcher = Dispatcher(harness.invoker.deliveryContext())
            let scheduler = Scheduler(harness.invoker.deliveryContext())
            let loops = [
                Task { await dispatcher.run(resync: .seconds(3600)) },
                Task { await scheduler.run(resync: .seconds(3600)) },
            ]
            // Due now by the test clock: the scheduling commit wakes the scheduler, its event the dispatcher.
            try await AuditService.schedule("o1", at: harness.clock.now, harness.invoker, clock: harness.clock)
            #expect(await Self.next(1, of: audit) == ["audit-on-expiration-complete:o1"])
            dispatcher.stop()
            scheduler.stop()
            for loop in loops { await loop.value }
        }
    }
}

/// The delivery loops' part of `GET /health/ready`.
@Suite struct DeliveryReadinessTests {
    /// Not ready before the loop has run; ready once it has; stalled when it has not moved for longer than
    /// the limit (here the loop sleeps until a resync an hour away, and the test clock moves past the limit);
    /// ready again once it moves.
    @Test(.timeLimit(.minutes(1))) func theDispatchersReadinessFollowsItsLoop() async throws {
        let audit = AuditService()
        try await TestHarness.with(services: [audit.definition], manifest: AuditService.manifest) { harness in
            let dispatcher = Dispatcher(harness.invoker.deliveryContext())
            let readiness = dispatcher.readiness(limit: 5)
            #expect(readiness.name == "delivery")
            #expect(await readiness.reason() == "not started")
            let loop = Task { await dispatcher.run(resync: .seconds(3600)) }
            await harness.clock.sleepers(atLeast: 1)
            #expect(await readiness.reason() == nil)
            harness.clock.advance(by: 4)
            #expect(await readiness.reason() == nil)
            harness.clock.advance(by: 6)
            #expect(await readiness.reason() == "no progress for 10 s")
            try await AuditService.publish(["a"], harness.invoker, clock: harness.clock)
            #expect(await DeliveryLoopTests.next(1, of: audit) == ["audit-on-ticket-created:a"])
            while await readiness.reason() != nil { await Task.yield() }
            dispatcher.stop()
            await loop.value
        }
    }

    @Test func theSchedulersCheckIsNamedTimers() async throws {
        let audit = AuditService()
        try await TestHarness.with(services: [audit.definition], manifest: AuditService.manifest) { harness in
            let readiness = Scheduler(harness.invoker.deliveryContext()).readiness(limit: 5)
            #expect(readiness.name == "timers")
            #expect(await readiness.reason() == "not started")
        }
    }
}

/// The doorbell the background loops sleep on.
@Suite struct DoorbellTests {
    @Test func aRingBeforeTheWaitIsKept() async {
        let bell = Doorbell()
        bell.ring()
        await bell.wait(until: nil, on: TestClock())
    }

    @Test func aWaitEndsWhenItsClockReachesTheDeadline() async {
        let bell = Doorbell()
        let clock = TestClock()
        async let woken: Void = bell.wait(until: clock.now.addingTimeInterval(5), on: clock)
        await clock.sleepers(atLeast: 1)
        clock.advance(by: 4)
        #expect(clock.sleeperCount == 1)
        clock.advance(by: 1)
        await woken
        #expect(clock.sleeperCount == 0)
    }

    @Test func aRingWakesTheWaiter() async {
        let bell = Doorbell()
        async let woken: Void = bell.wait(until: nil, on: TestClock())
        bell.ring()
        await woken
    }
}

/// The clock tests, `invoke --advance` and the simulation move by hand.
@Suite struct ManualClockTests {
    @Test func sleepersWakeWhenTheClockReachesTheirDeadlines() async throws {
        let clock = TestClock()
        let start = clock.now
        try await withThrowingTaskGroup(of: Int.self) { group in
            for seconds in [30, 10, 20] {
                group.addTask {
                    try await clock.sleep(until: start.addingTimeInterval(TimeInterval(seconds)))
                    return seconds
                }
            }
            await clock.sleepers(atLeast: 3)
            clock.advance(by: 15)
            #expect(try await group.next() == 10)
            #expect(clock.sleeperCount == 2)
            clock.set(start.addingTimeInterval(60))
            var rest: [Int] = []
            for try await seconds in group { rest.append(seconds) }
            #expect(rest.sorted() == [20, 30])
        }
        // A deadline already passed returns at once.
        try await clock.sleep(until: start)
    }

    @Test func aCancelledSleeperThrowsAndLeaves() async {
        let clock = TestClock()
        let sleeper = Task { try await clock.sleep(until: clock.now.addingTimeInterval(60)) }
        await clock.sleepers(atLeast: 1)
        sleeper.cancel()
        await #expect(throws: CancellationError.self) { try await sleeper.value }
        #expect(clock.sleeperCount == 0)
    }
}
