import Foundation
import FunctionTesting
import Runtime
import Stripe
import Testing

@testable import Payments

/// A function that calls Stripe must be given longer than the live client can take, or a charge could
/// still be in flight when the function is abandoned.
@Suite struct StripeBudgetTests {
    /// Each function, with how many Stripe calls it makes one after the other at most: `payments-create`
    /// charges and, when the order became unpayable meanwhile, refunds at once.
    @Test(arguments: [("payments-create", 2), ("payments-reconcile", 1), ("payments-refund", 1)])
    func theFunctionOutlastsTheLiveClientsLongestCalls(function: String, calls: Int) throws {
        let manifest = try Manifest.load(path: ProjectFiles.manifest.path)
        let declaration = try #require(manifest.functions.first { $0.name == function })
        let timeout = try #require(declaration.timeout ?? manifest.settings.timeout)
        let client = LiveStripeClient(secretKey: "sk_test_budget")
        #expect(client.longestCall * calls < .seconds(timeout), "\(function) may run \(timeout) s")
    }

    /// The reconcile job must not replay an attempt whose request may still be running: past the
    /// function's timeout and a Stripe call the abandoned handler may have left in flight.
    @Test func theReconcileWaitsOutAnAbandonedPaymentRequest() throws {
        let manifest = try Manifest.load(path: ProjectFiles.manifest.path)
        let create = try #require(manifest.functions.first { $0.name == "payments-create" })
        let timeout = try #require(create.timeout ?? manifest.settings.timeout)
        let longestCall = LiveStripeClient(secretKey: "sk_test_budget").longestCall
        #expect(.seconds(PaymentAttempt.reconcileAfter) > .seconds(timeout) + longestCall)
    }
}
