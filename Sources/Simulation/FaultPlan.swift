import Foundation
import Synchronization

/// A fault the simulation injected, as the code under test sees it.
public enum InjectedFault: Error, CustomStringConvertible, Sendable {
    /// A statement failed (a lost connection, a full disk, a busy database).
    case statement
    /// The process died: nothing it does from here on reaches the database or Stripe.
    case crashed

    public var description: String {
        switch self {
        case .statement: "injected statement failure"
        case .crashed: "the process crashed (simulated)"
        }
    }
}

/// The kinds of fault a simulation injects, for its report.
public enum FaultKind: String, CaseIterable, Sendable, Comparable {
    case statement = "failed statement"
    case crash
    case handlerTimeout = "handler timeout"
    case lostAcknowledgement = "lost acknowledgement"
    case stripeUnreachable = "Stripe unreachable"
    case stripeAnswerLost = "Stripe answer lost"
    case stripeError = "Stripe error"
    case stripeSlow = "slow Stripe"
    case redelivery
    case clockJump = "clock jump"

    public static func < (lhs: FaultKind, rhs: FaultKind) -> Bool {
        lhs.rawValue < rhs.rawValue
    }
}

/// Decides, from the seed, where faults fall, and remembers which deliveries they hit.
///
/// Every wrapper (storage, Stripe, delivery target) asks it; the simulation runs one thing at a time, so the
/// order of questions — and so every answer — is the same on every run of a seed.
public final class FaultPlan: Sendable {
    /// How often each fault is injected while the plan is active.
    public struct Rates: Sendable {
        /// A statement fails.
        public var statement = 0.004
        /// An event handler times out before running.
        public var handlerTimeout = 0.02
        /// An event handler commits but its answer is lost.
        public var lostAcknowledgement = 0.02
        /// A Stripe call fails before reaching Stripe.
        public var stripeUnreachable = 0.05
        /// A Stripe call is made but its answer is lost.
        public var stripeAnswerLost = 0.05
        /// Stripe answers a 500 without doing anything.
        public var stripeError = 0.03
        /// A Stripe call takes up to 20 minutes of simulated time.
        public var stripeSlow = 0.05

        /// The default rates.
        public init() {}
    }

    /// The delivery in progress: which consumer, which event, and whether a fault touched it.
    private struct Current {
        var consumer: String
        var eventID: String
        var faulted = false
    }

    private struct State {
        var random: SeededRandom
        var active = true
        var crashed = false
        /// Statements left before an armed crash.
        var crashIn: Int?
        var injected: [FaultKind: Int] = [:]
        var current: Current?
        /// Whether any fault fell since the mark (an HTTP request's answer is judged by it).
        var faultedSinceMark = false
        /// Deliveries that failed with no fault injected, by consumer and event id.
        var unfaultedFailures: [String] = []
        /// How many deliveries of each event to each consumer a fault touched.
        var faultedDeliveries: [DeliveryKey: Int] = [:]
    }

    /// A consumer and an event handed to it.
    public struct DeliveryKey: Hashable, Sendable {
        /// The consuming function.
        public var consumer: String
        /// The event's id.
        public var eventID: String
    }

    /// The rates in use.
    public let rates: Rates
    private let state: Mutex<State>

    /// A plan drawing from `random`.
    public init(random: SeededRandom, rates: Rates = Rates()) {
        self.rates = rates
        state = Mutex(State(random: random))
    }

    /// Draws from the plan's generator (the workload shares it, so one seed fixes everything).
    public func draw<T: Sendable>(_ body: (inout SeededRandom) -> T) -> T {
        state.withLock { body(&$0.random) }
    }

    /// Whether the process has crashed.
    public var crashed: Bool { state.withLock { $0.crashed } }

    /// The faults injected so far, by kind.
    public var injected: [FaultKind: Int] { state.withLock { $0.injected } }

    /// Deliveries that failed without a fault, described.
    public var unfaultedFailures: [String] { state.withLock { $0.unfaultedFailures } }

    /// How many deliveries of `eventID` to `consumer` a fault touched.
    public func faultedDeliveries(of eventID: String, to consumer: String) -> Int {
        state.withLock { $0.faultedDeliveries[DeliveryKey(consumer: consumer, eventID: eventID)] ?? 0 }
    }

    /// Stops injecting random faults and disarms a pending crash (the simulation quiesces).
    public func quiesce() {
        state.withLock {
            $0.active = false
            $0.crashIn = nil
        }
    }

    /// Arms a crash `statements` statements from now.
    public func armCrash(in statements: Int) {
        state.withLock { $0.crashIn = $0.active ? statements : nil }
    }

    /// The process restarts: it is alive again.
    public func restart() {
        state.withLock {
            $0.crashed = false
            $0.crashIn = nil
            $0.current = nil
        }
    }

    /// Counts a fault the simulation caused itself (a redelivery, a clock jump).
    public func record(_ kind: FaultKind) {
        state.withLock { Self.note(kind, in: &$0) }
    }

    /// Starts watching for faults during an HTTP request.
    public func mark() {
        state.withLock { $0.faultedSinceMark = false }
    }

    /// Whether a fault fell since ``mark()``.
    public var faultedSinceMark: Bool { state.withLock { $0.faultedSinceMark } }

    /// Called before every statement: throws the fault that falls on it, if any.
    func beforeStatement() throws {
        try state.withLock { state in
            if state.crashed { throw InjectedFault.crashed }
            if let left = state.crashIn {
                if left <= 0 {
                    state.crashIn = nil
                    state.crashed = true
                    Self.note(.crash, in: &state)
                    throw InjectedFault.crashed
                }
                state.crashIn = left - 1
            }
            if state.active && state.random.chance(rates.statement) {
                Self.note(.statement, in: &state)
                throw InjectedFault.statement
            }
        }
    }

    /// Called before a Stripe call: a dead process calls nobody, and an active plan picks a fault or none.
    func stripeFault() throws -> FaultKind? {
        try state.withLock { state in
            if state.crashed { throw InjectedFault.crashed }
            guard state.active else { return nil }
            let roll = Double.random(in: 0..<1, using: &state.random)
            var bound = 0.0
            for (kind, rate) in [
                (FaultKind.stripeUnreachable, rates.stripeUnreachable), (.stripeAnswerLost, rates.stripeAnswerLost),
                (.stripeError, rates.stripeError), (.stripeSlow, rates.stripeSlow),
            ] {
                bound += rate
                if roll < bound {
                    Self.note(kind, in: &state)
                    return kind
                }
            }
            return nil
        }
    }

    /// How long a slow Stripe call takes, in seconds.
    func slowness() -> TimeInterval {
        draw { TimeInterval(Int.random(in: 1...1200, using: &$0)) }
    }

    /// Called before a delivery to `consumer`: starts tracking it and picks a handler fault, if any.
    func beginDelivery(consumer: String, eventID: String) -> FaultKind? {
        state.withLock { state in
            state.current = Current(consumer: consumer, eventID: eventID)
            guard state.active, !state.crashed else { return nil }
            let roll = Double.random(in: 0..<1, using: &state.random)
            if roll < rates.handlerTimeout {
                Self.note(.handlerTimeout, in: &state)
                return .handlerTimeout
            }
            if roll < rates.handlerTimeout + rates.lostAcknowledgement {
                Self.note(.lostAcknowledgement, in: &state)
                return .lostAcknowledgement
            }
            return nil
        }
    }

    /// Called after a delivery: a failure no fault explains is remembered.
    func endDelivery(failure: String?) {
        state.withLock { state in
            defer { state.current = nil }
            guard let current = state.current else { return }
            if current.faulted {
                state.faultedDeliveries[
                    DeliveryKey(consumer: current.consumer, eventID: current.eventID), default: 0] += 1
            }
            guard let failure, !current.faulted, !state.crashed else { return }
            state.unfaultedFailures.append("\(current.consumer) failed on event \(current.eventID): \(failure)")
        }
    }

    private static func note(_ kind: FaultKind, in state: inout State) {
        state.injected[kind, default: 0] += 1
        state.faultedSinceMark = true
        state.current?.faulted = true
    }
}
