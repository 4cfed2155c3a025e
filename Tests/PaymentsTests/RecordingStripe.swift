import Foundation
import Stripe
import Synchronization

/// A scripted `StripeClient` for handler tests: `tok_visa`/`pm_card_visa` succeed, `tok_chargeDeclined`
/// declines, `tok_unknown` is an invalid request, `tok_outage` cannot reach Stripe, any other token
/// succeeds. It answers a repeated idempotency key with its first result, records every request, can hold
/// a charge until a test releases it (to race other requests against it), and can be made unreachable.
final class RecordingStripe: StripeClient {
    struct State {
        var charges: [ChargeRequest] = []
        var results: [String: Charge] = [:]
        var refunds: [RefundRequest] = []
        var refunded: [String: Refund] = [:]
        var held: CheckedContinuation<Void, Never>?
        var holdNext = false
        var releasedEarly = false
        var unreachable = false
    }

    let state = Mutex(State())
    /// Yields each charge request as it arrives.
    let arrivals: AsyncStream<ChargeRequest>
    private let arrived: AsyncStream<ChargeRequest>.Continuation
    /// Runs while a charge is in flight, before it answers (e.g. to cancel the order meanwhile).
    let duringCharge: Mutex<(@Sendable () async throws -> Void)?> = Mutex(nil)

    init() {
        (arrivals, arrived) = AsyncStream.makeStream(of: ChargeRequest.self)
    }

    var charges: [ChargeRequest] { state.withLock { $0.charges } }
    /// Distinct charges made (a repeated idempotency key is one charge).
    var distinctCharges: Int { state.withLock { $0.results.count } }
    var refunds: [RefundRequest] { state.withLock { $0.refunds } }
    var distinctRefunds: Int { state.withLock { $0.refunded.count } }

    /// The next charge waits for ``release()``.
    func holdNextCharge() { state.withLock { $0.holdNext = true } }

    /// Lets a held charge answer, now or as soon as it is held.
    func release() {
        let held = state.withLock { state in
            defer { state.held = nil }
            if state.held == nil { state.releasedEarly = true }
            return state.held
        }
        held?.resume()
    }

    /// While `true`, every request that arrives fails as if Stripe could not be reached; nothing is charged or
    /// refunded. (A charge already on its way when it is set still answers.)
    func setUnreachable(_ unreachable: Bool) { state.withLock { $0.unreachable = unreachable } }

    func charge(_ request: ChargeRequest) async throws -> Charge {
        let (hold, unreachable) = state.withLock { state in
            state.charges.append(request)
            defer { state.holdNext = false }
            return (state.holdNext, state.unreachable)
        }
        if unreachable { throw StripeError.connection("connection refused") }
        arrived.yield(request)
        if hold {
            await withCheckedContinuation { continuation in
                let resumeNow = state.withLock { state in
                    if state.releasedEarly {
                        state.releasedEarly = false
                        return true
                    }
                    state.held = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        }
        if let during = duringCharge.withLock({ $0 }) { try await during() }
        switch request.token {
        case "tok_chargeDeclined":
            throw StripeError.cardDeclined(
                message: "Your card was declined.", code: "card_declined", declineCode: "generic_decline")
        case "tok_unknown":
            throw StripeError.invalidRequest(
                message: "No such token: 'tok_unknown'", code: "resource_missing", param: "source")
        case "tok_outage":
            throw StripeError.connection("connection refused")
        default:
            return state.withLock { state in
                if let first = state.results[request.idempotencyKey] { return first }
                let charge = Charge(
                    id: "ch_\(state.results.count + 1)", amount: request.amount, currency: request.currency)
                state.results[request.idempotencyKey] = charge
                return charge
            }
        }
    }

    func refund(_ request: RefundRequest) async throws -> Refund {
        try state.withLock { state in
            state.refunds.append(request)
            if state.unreachable { throw StripeError.connection("connection refused") }
            if let first = state.refunded[request.idempotencyKey] { return first }
            let refund = Refund(id: "re_\(state.refunded.count + 1)", chargeID: request.chargeID)
            state.refunded[request.idempotencyKey] = refund
            return refund
        }
    }
}
