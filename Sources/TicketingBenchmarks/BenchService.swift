import Contracts
import Foundation
import FunctionKit
import FunctionTesting
import Logging
import Runtime
import SQLKit
import Synchronization
import Tickets

/// A service for timing delivery: it consumes `ticket:created` and fires scheduled invocations, telling the
/// benchmark the moment each one committed.
final class BenchService: Sendable {
    /// Each consumed ticket id (with 0), and "fire" with each scheduled invocation's lateness (ms), as it commits.
    let arrivals: AsyncStream<(String, Double)>
    private let continuation: AsyncStream<(String, Double)>.Continuation

    init() {
        (arrivals, continuation) = AsyncStream.makeStream(of: (String, Double).self)
    }

    static let manifest = """
        functions:
          - name: tickets-create
            service: tickets
            http: POST /api/tickets
          - name: tickets-show
            service: tickets
            http: GET /api/tickets/{id}
          - name: tickets-list
            service: tickets
            http: GET /api/tickets
          - name: tickets-update
            service: tickets
            http: PUT /api/tickets/{id}
          - name: tickets-on-order-created
            service: tickets
            subscribe: order:created
          - name: tickets-on-order-cancelled
            service: tickets
            subscribe: order:cancelled
          - name: bench-on-ticket-created
            service: bench
            subscribe: ticket:created
          - name: bench-fire
            service: bench
            schedule: true
        """

    struct Consume: EventFunction {
        let bench: BenchService
        func handle(_ payload: TicketCreated, event: CloudEvent, context: FunctionContext) async throws {
            try await context.transaction { _ in }
            bench.continuation.yield((payload.id, 0))
        }
    }

    struct Fire: ScheduledFunction {
        struct Payload: Codable, Sendable { var dueAt: Double }
        let bench: BenchService
        func handle(_ payload: Payload, event: CloudEvent, context: FunctionContext) async throws {
            try await context.transaction { _ in }
            bench.continuation.yield(("fire", (Date().timeIntervalSince1970 - payload.dueAt) * 1000))
        }
    }

    var definition: ServiceDefinition {
        ServiceDefinition(
            name: "bench", migrations: [],
            functions: [
                FunctionDefinition("bench-on-ticket-created", subscription: Consume(bench: self)),
                FunctionDefinition("bench-fire", schedule: Fire(bench: self)),
            ])
    }

    /// An invoker over Tickets and this service with the real clock, in a fresh data directory.
    func invoker(directory: URL) async throws -> Invoker {
        var logger = Logger(label: "bench")
        logger.logLevel = .warning
        let contracts = try ContractCatalog.load(directory: ProjectFiles.schemas)
        let registry = try FunctionRegistry(
            services: [TicketsService.definition(), definition], manifest: try Manifest.parse(Self.manifest),
            knownSubjects: contracts.subjects)
        return Invoker(
            registry: registry, storage: try SQLiteEngine(directory: directory, logger: logger),
            sessions: try await SessionCodec(key: TestHarness.sessionKey, secureCookies: false), clock: SystemClock(),
            logger: logger, contracts: contracts, metrics: RuntimeMetrics())
    }

    /// A prepared invoker in `directory`, a seller's token, and the answer to the seller listing one ticket:
    /// where every benchmark of a request starts.
    func market(directory: URL) async throws -> (invoker: Invoker, token: String, created: HTTPInvocation) {
        let invoker = try await invoker(directory: directory)
        try await invoker.prepare()
        let token = try await invoker.sessions.issue(userID: "u1", email: "u1@example.com", now: Date()).token
        let created = try await invoker.invoke(
            http: "tickets-create",
            request: FunctionKit.HTTPRequest(
                method: "POST", path: "/api/tickets", routeKey: "POST /api/tickets",
                headers: ["content-type": "application/json", "authorization": "Bearer \(token)"],
                body: #"{"title":"Bench","price":10}"#))
        return (invoker, token, created)
    }
}
