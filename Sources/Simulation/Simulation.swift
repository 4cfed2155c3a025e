import Auth
import Expiration
import Foundation
import FunctionKit
import FunctionTesting
import Orders
import Payments
import Runtime
import Stripe
import Tickets

/// The whole marketplace — every service, delivery, the scheduler and Stripe — run on a simulated clock by
/// a workload and a fault plan drawn from one seed, the way FoundationDB and TigerBeetle test themselves.
///
/// Each step is a request (sign-ups, listings, edits, orders, cancels, payments with good and declined
/// cards), a delivery pass, a clock jump, a redelivery of an event already sent, or an armed crash. Faults
/// fall on statements, handlers (timeouts, answers lost after commit) and Stripe (unreachable, answers
/// lost, errors, slow answers). A crash throws away every object in memory and starts again from the same
/// database. Then faults stop, the clock runs on until nothing is left to do, and ``Invariants`` checks
/// what the marketplace promises. Everything runs one thing at a time, so a seed replays exactly.
public final class Simulation {
    /// The seed.
    public let seed: UInt64
    let plan: FaultPlan
    /// When every run starts: 2026-01-01T00:00:00Z.
    static let start = Date(timeIntervalSince1970: 1_767_225_600)

    let clock = ManualClock(Simulation.start)
    let stripe: SimulatedStripe
    let directory: URL
    let services: [ServiceDefinition]
    var harness: TestHarness
    var cascade: Cascade
    var report: SimulationReport
    var model = Model()

    /// What the workload knows: who signed up, what was listed and ordered, and what was accepted.
    struct Model {
        struct User {
            var id: String
            var token: String
        }
        struct Order {
            var id: String
            var ticketID: String
            var buyer: Int
            var tokens: [String] = []
            /// Whether a payment for it was answered 201.
            var paid = false
            /// Whether the buyer asked to cancel it and was not refused (answered 204, or no answer).
            var cancelAsked = false
            /// Whether the buyer's cancellation of it was answered 204.
            var cancelled = false
        }
        var users: [User] = []
        var signups = 0
        struct Ticket {
            var id: String
            var seller: Int
        }
        /// Listed tickets.
        var tickets: [Ticket] = []
        var orders: [Order] = []
    }

    private init(
        seed: UInt64, directory: URL, plan: FaultPlan, stripe: SimulatedStripe, services: [ServiceDefinition],
        harness: TestHarness, cascade: Cascade
    ) {
        self.seed = seed
        self.directory = directory
        self.plan = plan
        self.stripe = stripe
        self.services = services
        self.harness = harness
        self.cascade = cascade
        report = SimulationReport(seed: seed)
    }

    /// Runs seed `seed` to the end and reports what it found.
    public static func run(seed: UInt64) async throws -> SimulationReport {
        let plan = FaultPlan(random: SeededRandom(seed: seed))
        let clock = ManualClock(Simulation.start)
        let stripe = SimulatedStripe(plan: plan, clock: clock)
        let services = [
            AuthService.definition(passwords: PasswordHasher(cost: .fastForTests)), TicketsService.definition(),
            OrdersService.definition(), ExpirationService.definition(), PaymentsService.definition(stripe: stripe),
        ]
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "ticketing-simulation-\(seed)-\(UUID().uuidString)")
        let (harness, cascade) = try await boot(services, directory: directory, clock: clock, plan: plan)
        let simulation = Simulation(
            seed: seed, directory: directory, plan: plan, stripe: stripe, services: services, harness: harness,
            cascade: cascade)
        do {
            try await simulation.runWorkload()
        } catch {
            simulation.report.violations.append("the simulation stopped: \(error)")
        }
        await simulation.harness.shutdown()
        simulation.report.faults = plan.injected
        return simulation.report
    }

    private static func boot(_ services: [ServiceDefinition], directory: URL, clock: ManualClock, plan: FaultPlan)
        async throws -> (TestHarness, Cascade)
    {
        // Handlers' time limits stay on real time: a slow Stripe answer moves the simulated clock while its
        // handler runs, and a limit falling due then would race the handler and break the replay of a seed.
        // Time-outs are injected as faults instead.
        let harness = try await TestHarness.make(
            services: services, directory: directory, clock: clock, realTimeLimits: true,
            wrapping: { FaultyStorage(base: $0, plan: plan) })
        let target = DeliveryTarget { event, consumer, _ in
            try await Self.deliver(event, to: consumer, through: harness, plan: plan)
        }
        return (harness, Cascade(invoker: harness.invoker, target: target, serially: true))
    }

    /// Hands `event` to `consumer` as the functions' host would, with the handler faults the plan picks.
    private static func deliver(_ event: CloudEvent, to consumer: String, through harness: TestHarness, plan: FaultPlan)
        async throws -> EventInvocation
    {
        let fault = plan.beginDelivery(consumer: consumer, eventID: event.id)
        if fault == .handlerTimeout {
            plan.endDelivery(failure: nil)
            return EventInvocation(outcome: .failed("timed out (simulated)"), effects: [])
        }
        let result: EventInvocation
        do {
            result = try await harness.deliver(consumer, event)
        } catch {
            plan.endDelivery(failure: "\(error)")
            throw error
        }
        if fault == .lostAcknowledgement {
            plan.endDelivery(failure: nil)
            return EventInvocation(outcome: .failed("the answer was lost (simulated)"), effects: [])
        }
        switch result.outcome {
        case .failed(let reason), .rejected(let reason): plan.endDelivery(failure: reason)
        case .handled, .duplicate, .deferred: plan.endDelivery(failure: nil)
        }
        return result
    }

    /// Throws away everything in memory and starts again from the same database.
    func restart() async throws {
        await harness.close()
        plan.restart()
        (harness, cascade) = try await Self.boot(services, directory: directory, clock: clock, plan: plan)
        report.restarts += 1
    }

    func violation(_ text: String) {
        report.violations.append(text)
    }

    private func runWorkload() async throws {
        let steps = plan.draw { Int.random(in: 30...90, using: &$0) }
        for _ in 0..<3 { await signUp() }
        for _ in 0..<steps {
            report.steps += 1
            await step()
            if plan.crashed { try await restart() }
        }
        plan.quiesce()
        if plan.crashed { try await restart() }
        // A clean start from the database, as after a deploy: nothing may depend on what was in memory.
        try await restart()
        try await quiesce()
        try await Invariants(simulation: self).check()
    }

    /// Delivers and fires everything, moving the clock on until nothing is left: the windows of every
    /// order, every retry and every deferral's bound pass.
    private func quiesce() async throws {
        for _ in 0..<4 {
            let pass = try await cascade.advance(clock, to: clock.now.addingTimeInterval(3 * 3600))
            report.deliveries += pass.deliveries.count
            if pass.nextDue == nil { return }
        }
        violation("delivery did not come to rest after 12 simulated hours without faults")
    }
}
