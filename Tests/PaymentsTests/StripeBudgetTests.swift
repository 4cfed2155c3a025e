import Foundation
import FunctionTesting
import Runtime
import Stripe
import Testing

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
}
