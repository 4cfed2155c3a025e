import Foundation
import FunctionKit
import Logging

/// One attempt to hand an event to a function, made by the dispatcher, the scheduler or a redrive.
public struct Delivery: Sendable {
    /// Where the event came from.
    public enum Origin: Sendable, Equatable {
        /// The outbox of the named service.
        case outbox(publisher: String)
        /// A timer of the named service, by key.
        case timer(service: String, key: String)
        /// A dead letter put back.
        case redrive(deadLetter: Int64)
    }

    /// The function the event went to.
    public var consumer: String
    /// The event.
    public var event: CloudEvent
    /// Where it came from.
    public var origin: Origin
    /// Which attempt this was (1 for the first).
    public var attempt: Int
    /// How it ended.
    public var outcome: EventOutcome
    /// What the consumer published and scheduled.
    public var effects: [Effect]
    /// Whether the delivery was given up on and dead-lettered after this attempt.
    public var deadLettered: Bool
    /// The trace context of the invocation's span, when it ran in this process.
    public var trace: TraceContext?
}

/// What one pass of the dispatcher or scheduler did, and when it next has work.
public struct DeliveryPass: Sendable {
    /// The deliveries made, in the order they finished.
    public var deliveries: [Delivery] = []
    /// The earliest time something not yet due becomes due (a retry or a timer), if any.
    public var nextDue: Date?

    /// Adds another pass's deliveries and keeps the earlier due time.
    mutating func merge(_ other: DeliveryPass) {
        deliveries += other.deliveries
        nextDue = [nextDue, other.nextDue].compactMap { $0 }.min()
    }

    /// Keeps the earlier of the current due time and `date`.
    mutating func due(at date: Date) {
        nextDue = min(nextDue ?? date, date)
    }

    /// Runs `parts` side by side (or one after another, in order, when `serially`) and merges their passes.
    /// A part that fails does not cancel the others — a delivery cut short would count against its consumer —
    /// and once every part has finished, the first failure is thrown.
    static func gathering(_ parts: [@Sendable () async throws -> DeliveryPass], serially: Bool = false)
        async throws -> DeliveryPass
    {
        let results: [Result<DeliveryPass, any Error>]
        if serially {
            var ran: [Result<DeliveryPass, any Error>] = []
            for part in parts {
                do { ran.append(.success(try await part())) } catch { ran.append(.failure(error)) }
            }
            results = ran
        } else {
            results = await withTaskGroup(of: Result<DeliveryPass, any Error>.self) { group in
                for part in parts {
                    group.addTask {
                        do { return .success(try await part()) } catch { return .failure(error) }
                    }
                }
                return await group.reduce(into: [Result<DeliveryPass, any Error>]()) { $0.append($1) }
            }
        }
        var pass = DeliveryPass()
        var failure: (any Error)?
        for result in results {
            switch result {
            case .success(let part): pass.merge(part)
            case .failure(let error): failure = failure ?? error
            }
        }
        if let failure { throw failure }
        return pass
    }
}

/// Where the dispatcher and the scheduler hand events: the functions in this process, or functions
/// running elsewhere (container mode) reached over HTTP.
public struct DeliveryTarget: Sendable {
    /// Hands `event` to `consumer` as part of the delivery whose span is `trace` (the parent of the
    /// invocation's), and says how it ended. It throws only for failures of the runtime itself, which stop the
    /// pass without using up the consumer's attempts.
    public let deliver:
        @Sendable (_ event: CloudEvent, _ consumer: String, _ trace: TraceContext?) async throws -> EventInvocation

    /// A target made of `deliver`.
    public init(
        deliver:
            @escaping @Sendable (_ event: CloudEvent, _ consumer: String, _ trace: TraceContext?) async throws
            -> EventInvocation
    ) {
        self.deliver = deliver
    }

    /// The functions of `invoker`, in this process.
    public static func local(_ invoker: Invoker) -> DeliveryTarget {
        DeliveryTarget { event, consumer, trace in try await invoker.deliver(event, to: consumer, parent: trace) }
    }
}

/// What the dispatcher and the scheduler work with, handed to them rather than found through the invoker:
/// the functions declared, the services' databases and the runtime's own, the time, where to log, the
/// commits that wake them, and where deliveries go.
public struct DeliveryContext: Sendable {
    /// The functions, their triggers and their attempts.
    public var registry: FunctionRegistry
    /// Each service's database (outboxes, timers), and the runtime's (cursors, dead letters).
    public var databases: ServiceDatabases
    /// The time deliveries are stamped with and due by, and what the loops sleep on.
    public var clock: any WallClock
    /// The runtime's logger; each loop labels it with its component.
    public var logger: Logger
    /// The commits that wake the loops.
    public var commits: CommitFeed
    /// Where events and timers are delivered.
    public var target: DeliveryTarget
    /// Where delivery lag and timer lateness are recorded; `nil` records nothing.
    public var metrics: RuntimeMetrics?
    /// Starts a span around each delivery.
    public var tracer: InvocationTracer

    /// A context of the given parts.
    public init(
        registry: FunctionRegistry, databases: ServiceDatabases, clock: any WallClock, logger: Logger,
        commits: CommitFeed, target: DeliveryTarget, metrics: RuntimeMetrics? = nil,
        tracer: InvocationTracer = .propagating
    ) {
        self.metrics = metrics
        self.tracer = tracer
        self.registry = registry
        self.databases = databases
        self.clock = clock
        self.logger = logger
        self.commits = commits
        self.target = target
    }

    /// The engine the databases live in (leases are taken there).
    public var storage: any StorageEngine { databases.storage }

    /// Hands `event` to `consumer` through the target inside a span of its own (`operation` and the event's
    /// type), the child of the event's trace context and the parent of the invocation's; logs a line for it
    /// (at info, as the gateway logs a request), with the invocation's trace and span ids.
    func deliver(_ event: CloudEvent, to consumer: String, operation: String) async throws -> EventInvocation {
        let started = ContinuousClock.now
        let span = tracer.start("\(operation) \(event.type)", kind: .producer, parent: event.trace)
        span.set(["cloudevents.event_id": .string(event.id), "ticketing.consumer": .string(consumer)])
        do {
            let invocation = try await target.deliver(event, consumer, span.trace)
            switch invocation.outcome {
            case .handled, .duplicate, .deferred: span.end()
            case .rejected(let reason), .failed(let reason): span.end(failure: reason)
            }
            if logger.logLevel <= .info {
                let trace = invocation.trace ?? span.trace
                logger.info(
                    "\(operation) \(event.type) → \(consumer) \(invocation.outcome.status) \((ContinuousClock.now - started).logText)",
                    metadata: [
                        "function": .string(consumer), "event": .string(event.id), "trace_id": .string(trace.traceID),
                        "span_id": .string(trace.spanID),
                    ])
            }
            return invocation
        } catch {
            span.end(failure: "\(error)")
            throw error
        }
    }
}

extension Invoker {
    /// The context delivery runs in: this invoker's functions, databases, clock, logger and commits, with
    /// deliveries made to `target` (by default the functions in this process).
    public func deliveryContext(target: DeliveryTarget? = nil) -> DeliveryContext {
        DeliveryContext(
            registry: registry, databases: databases, clock: clock, logger: logger, commits: commits,
            target: target ?? .local(self), metrics: metrics, tracer: tracer)
    }

    /// Invokes `consumer` with `event` on behalf of the dispatcher or the scheduler. When the invocation
    /// cannot happen because of what was asked — the function is gone from the manifest or takes another
    /// trigger — trying again cannot help, so that delivery is rejected (and dead-lettered) on its own and
    /// never stops the others. Any other error (a database that cannot be opened, say) is the runtime's,
    /// not the event's: it is thrown, the pass stops, and the same delivery is tried on the next pass
    /// without using up the consumer's attempts.
    func deliver(_ event: CloudEvent, to consumer: String, parent: TraceContext?) async throws -> EventInvocation {
        do {
            return try await invoke(event: consumer, event: event, parent: parent)
        } catch let error as InvocationError {
            return EventInvocation(outcome: .rejected(error.description), effects: [])
        }
    }
}
