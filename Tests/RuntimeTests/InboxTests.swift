import Contracts
import Foundation
import FunctionKit
import FunctionTesting
import Logging
import Runtime
import SQLKit
import Testing

/// A test service with one subscription and one schedule target, to exercise event invocation.
enum Ledger {
    struct RecordTicket: EventFunction {
        func handle(_ payload: TicketCreated, event: CloudEvent, context: FunctionContext) async throws {
            try await context.transaction { transaction in
                try await transaction.sql.insert(into: "entries").columns("ticket_id").values(SQLBind(payload.id)).run()
                try await transaction.schedule(
                    "ledger-remind", payload: ["ticketId": payload.id], at: transaction.now.addingTimeInterval(60),
                    key: payload.id)
            }
        }
    }

    struct Remind: ScheduledFunction {
        struct Payload: Codable, Sendable { var ticketId: String }
        func handle(_ payload: Payload, event: CloudEvent, context: FunctionContext) async throws {
            try await context.transaction { transaction in
                try await transaction.publish(ExpirationComplete(orderId: payload.ticketId))
            }
        }
    }

    static let service = ServiceDefinition(
        name: "ledger",
        migrations: [
            Migration("001") { sql in
                try await sql.create(table: "entries").column("ticket_id", type: .text, .notNull).run()
            }
        ],
        functions: [
            FunctionDefinition("ledger-on-ticket-created", subscription: RecordTicket()),
            FunctionDefinition("ledger-remind", schedule: Remind()),
        ])

    static let manifest = """
        functions:
          - name: ledger-on-ticket-created
            service: ledger
            subscribe: ticket:created
          - name: ledger-remind
            service: ledger
            schedule: true
        """

    static func event(id: String = "e1") throws -> CloudEvent {
        CloudEvent(
            id: id, source: "/ticketing/tickets", type: "ticket:created", time: nil,
            data: try JSONValue(
                encoding: TicketCreated(id: "t1", version: 0, title: "x", price: Price(cents: 1), userId: "u")))
    }
}

@Suite struct InboxTests {
    @Test func aRedeliveredEventChangesNothingTwice() async throws {
        try await TestHarness.with(services: [Ledger.service], manifest: Ledger.manifest) { harness in
            let first = try await harness.invoker.invoke(event: "ledger-on-ticket-created", event: try Ledger.event())
            #expect(first.outcome == .handled)
            #expect(first.effects.count == 1)
            let again = try await harness.invoker.invoke(event: "ledger-on-ticket-created", event: try Ledger.event())
            #expect(again.outcome == .duplicate)
            #expect(again.effects.isEmpty)
            let database = try await harness.invoker.database(for: "ledger")
            #expect(try await StorageTests.count("entries", in: database) == 1)
            #expect(try await StorageTests.count(MessagingTables.timers, in: database) == 1)
            let other = try await harness.invoker.invoke(
                event: "ledger-on-ticket-created", event: try Ledger.event(id: "e2"))
            #expect(other.outcome == .handled)
            #expect(try await StorageTests.count("entries", in: database) == 2)
        }
    }

    @Test func anEventHandlerMayOpenOneTransactionOnly() async throws {
        try await TestHarness.with(services: [Ledger.service], manifest: Ledger.manifest) { harness in
            let database = try await harness.invoker.database(for: "ledger")
            let context = FunctionContext(
                functionName: "ledger-on-ticket-created", invocationID: "e1", clock: harness.clock,
                logger: Logger(label: "test"),
                session: nil, sessions: harness.invoker.sessions, database: database,
                inboxEntry: InboxEntry(consumer: "ledger-on-ticket-created", source: "s", eventID: "e1"))
            try await context.transaction { _ in }
            await #expect(throws: SecondTransactionInEventHandler.self) { try await context.transaction { _ in } }
        }
    }

    @Test func schedulingTheSameKeyReplacesTheTimer() async throws {
        try await TestHarness.with(services: [Ledger.service], manifest: Ledger.manifest) { harness in
            _ = try await harness.invoker.invoke(event: "ledger-on-ticket-created", event: try Ledger.event(id: "e1"))
            harness.clock.advance(by: 10)
            let second = try await harness.invoker.invoke(
                event: "ledger-on-ticket-created", event: try Ledger.event(id: "e2"))
            let database = try await harness.invoker.database(for: "ledger")
            #expect(try await StorageTests.count(MessagingTables.timers, in: database) == 1)
            guard case .scheduled(let invocation)? = second.effects.first else {
                Issue.record("no schedule effect")
                return
            }
            #expect(invocation.dueAt == harness.clock.now.addingTimeInterval(60))
            #expect(invocation.function == "ledger-remind")
        }
    }

    @Test func anEventOfTheWrongShapeIsRejectedNotCrashed() async throws {
        try await TestHarness.with(services: [Ledger.service], manifest: Ledger.manifest) { harness in
            var event = try Ledger.event()
            event.data = .object(["id": .number(5)])
            let result = try await harness.invoker.invoke(event: "ledger-on-ticket-created", event: event)
            guard case .rejected(let message) = result.outcome else {
                Issue.record("expected rejection, got \(result.outcome)")
                return
            }
            #expect(message.contains("id"))
            var wrongType = try Ledger.event(id: "e3")
            wrongType.type = "order:created"
            #expect(
                try await harness.invoker.invoke(event: "ledger-on-ticket-created", event: wrongType).outcome.status
                    == "rejected")
        }
    }

    @Test func scheduledFunctionsRunOnTheirPayload() async throws {
        try await TestHarness.with(services: [Ledger.service], manifest: Ledger.manifest) { harness in
            let event = CloudEvent(
                id: "s1", source: "/ticketing/scheduler", type: "schedule:ledger-remind", time: nil,
                data: .object(["ticketId": .string("t9")]))
            let result = try await harness.invoker.invoke(event: "ledger-remind", event: event)
            #expect(result.outcome == .handled)
            guard case .published(let published)? = result.effects.first else {
                Issue.record("nothing published")
                return
            }
            #expect(try published.decodeData(as: ExpirationComplete.self) == ExpirationComplete(orderId: "t9"))
        }
    }

    @Test func invokingAnHTTPFunctionWithAnEventIsRefused() async throws {
        try await TestHarness.with(services: [Ledger.service], manifest: Ledger.manifest) { harness in
            await #expect(throws: InvocationError.self) {
                _ = try await harness.invoker.invoke(
                    http: "ledger-remind", request: HTTPRequest(method: "GET", path: "/"))
            }
            await #expect(throws: InvocationError.self) {
                _ = try await harness.invoker.invoke(event: "nope", event: try Ledger.event())
            }
        }
    }
}
