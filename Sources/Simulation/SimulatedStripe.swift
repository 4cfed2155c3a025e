import Foundation
import FunctionKit
import Stripe
import Synchronization

/// Stripe as the simulation sees it: the mock behind faults — unreachable, an answer lost after the charge
/// was made, a 500, a slow answer (the simulated clock moves while the call is out) — and a record of which
/// order each charge was for.
final class SimulatedStripe: StripeClient {
    /// The mock: it survives crashes, as Stripe does.
    let mock = MockStripeClient()
    private let plan: FaultPlan
    private let clock: ManualClock
    private let chargedOrders = Mutex<[String: String]>([:])

    init(plan: FaultPlan, clock: ManualClock) {
        self.plan = plan
        self.clock = clock
    }

    /// The order each charge made was for, by charge id.
    var orders: [String: String] { chargedOrders.withLock { $0 } }

    func charge(_ request: ChargeRequest) async throws -> Charge {
        try await faulty {
            let charge = try await mock.charge(request)
            chargedOrders.withLock { $0[charge.id] = request.metadata["orderId"] ?? "" }
            return charge
        }
    }

    func refund(_ request: RefundRequest) async throws -> Refund {
        try await faulty { try await mock.refund(request) }
    }

    private func faulty<T: Sendable>(_ call: () async throws -> T) async throws -> T {
        let fault: FaultKind?
        do {
            fault = try plan.stripeFault()
        } catch {
            throw StripeError.connection("\(error)")
        }
        switch fault {
        case .stripeUnreachable:
            throw StripeError.connection("could not connect (simulated)")
        case .stripeError:
            throw StripeError.api(status: 500, message: "internal error (simulated)")
        case .stripeAnswerLost:
            _ = try await call()
            throw StripeError.connection("the connection dropped before the answer (simulated)")
        case .stripeSlow:
            clock.advance(by: plan.slowness())
            return try await call()
        default:
            return try await call()
        }
    }
}
