import Contracts
import Foundation
import FunctionKit
import FunctionTesting
import Logging
import Runtime
import Synchronization
import Testing

/// The dispatcher routing every event once to a sink (`K_SINK`) instead of to each subscription.
@Suite struct SinkRoutingTests {
    /// A sink that records what it is handed and refuses the first `refusals` events.
    final class RecordingSink: Sendable {
        let taken = Mutex<[(consumer: String, type: String, id: String)]>([])
        let refusals: Mutex<Int>

        init(refusals: Int = 0) {
            self.refusals = Mutex(refusals)
        }

        var target: DeliveryTarget {
            DeliveryTarget { event, consumer, _ in
                let refuse = self.refusals.withLock { count in
                    defer { count = max(0, count - 1) }
                    return count > 0
                }
                if refuse { return EventInvocation(outcome: .failed("HTTP 503: busy"), effects: []) }
                self.taken.withLock { $0.append((consumer, event.type, event.id)) }
                return EventInvocation(outcome: .handled, effects: [])
            }
        }
    }

    func withAudit(_ body: (TestHarness) async throws -> Void) async throws {
        let audit = AuditService()
        try await TestHarness.with(services: [audit.definition], manifest: AuditService.manifest) { harness in
            try await body(harness)
        }
    }

    @Test func everySubjectGoesToTheSinkOnceInCommitOrder() async throws {
        try await withAudit { harness in
            let sink = RecordingSink()
            let dispatcher = Dispatcher(
                harness.invoker.deliveryContext(target: sink.target), routing: .sink(attempts: 3))
            let consumers = await dispatcher.subscriptions.map(\.consumer)
            #expect(consumers == [Dispatcher.sinkConsumer])
            try await AuditService.publish(["a", "b"], harness.invoker, clock: harness.clock)
            try await AuditService.publishOrder(harness.invoker, clock: harness.clock)
            try await AuditService.publish(["c"], harness.invoker, clock: harness.clock)
            let pass = try await dispatcher.deliverDue()
            #expect(pass.deliveries.count == 4)
            let taken = sink.taken.withLock { $0 }
            // One copy of each, whatever subscribes to it; the subscribers themselves were not invoked.
            #expect(taken.map(\.consumer) == Array(repeating: Dispatcher.sinkConsumer, count: 4))
            #expect(taken.map(\.type) == ["ticket:created", "ticket:created", "order:created", "ticket:created"])
            #expect(try await dispatcher.deliverDue().deliveries.isEmpty)
        }
    }

    @Test func aRefusedEventHoldsUpOnlyItsOwnPublisher() async throws {
        let audit = AuditService()
        let boxOffice = ServiceDefinition(name: "box-office", migrations: [], functions: [])
        try await TestHarness.with(services: [audit.definition, boxOffice], manifest: AuditService.manifest) {
            harness in
            let sink = RecordingSink(refusals: 1)
            let dispatcher = Dispatcher(
                harness.invoker.deliveryContext(target: sink.target), routing: .sink(attempts: 3))
            try await AuditService.publish(["a"], harness.invoker, clock: harness.clock)
            let context = FunctionContext(
                functionName: "box-office-test", invocationID: "box-office-1", clock: harness.clock,
                logger: Logger(label: "test"), session: nil, sessions: harness.invoker.sessions,
                database: try await harness.invoker.database(for: "box-office"),
                effects: EffectLog(onCommit: harness.invoker.commits.committed))
            try await context.transaction { transaction in
                try await transaction.publish(
                    TicketCreated(id: "b", version: 0, title: "b", price: Price(cents: 100), userId: "u"))
            }
            // The audit service's event is refused and waits for its retry; box-office's goes out meanwhile.
            let pass = try await dispatcher.deliverDue()
            #expect(pass.deliveries.map(\.outcome.status) == ["failed", "handled"])
            #expect(sink.taken.withLock { $0.map(\.id) }.count == 1)
            harness.clock.advance(by: 1)
            #expect(try await dispatcher.deliverDue().deliveries.map(\.outcome.status) == ["handled"])
            #expect(sink.taken.withLock { $0.count } == 2)
        }
    }

    @Test func aRefusingSinkIsRetriedThenDeadLetteredAndRedrivenToTheSink() async throws {
        try await withAudit { harness in
            let sink = RecordingSink(refusals: 2)
            let dispatcher = Dispatcher(
                harness.invoker.deliveryContext(target: sink.target), routing: .sink(attempts: 2))
            try await AuditService.publish(["a", "b"], harness.invoker, clock: harness.clock)
            let first = try await dispatcher.deliverDue()
            #expect(first.deliveries.map(\.attempt) == [1])
            harness.clock.advance(by: 1)
            // The second refusal uses up the sink's two attempts: "a" is dead-lettered and "b" goes through.
            let second = try await dispatcher.deliverDue()
            #expect(second.deliveries.map(\.deadLettered) == [true, false])
            let dead = try await harness.deadLetters()
            #expect(dead.map(\.consumer) == [Dispatcher.sinkConsumer])
            _ = try await DeadLetters.open(harness.storage).redrive(nil, now: harness.clock.now)
            #expect(try await dispatcher.deliverDue().deliveries.map(\.outcome) == [.handled])
            #expect(sink.taken.withLock { $0.map(\.id) }.count == 2)
            #expect(try await harness.deadLetters().isEmpty)
        }
    }
}
