import Foundation
import FunctionTesting
import Runtime
import Stripe
import Testing

/// A function that calls Stripe must be given longer than the live client can take, or a charge could
/// still be in flight when the function is abandoned.
@Suite struct StripeBudgetTests {
    @Test(arguments: ["payments-create", "payments-reconcile", "payments-refund"])
    func theFunctionOutlastsTheLiveClientsLongestCall(function: String) throws {
        let manifest = try Manifest.load(path: ProjectFiles.manifest.path)
        let declaration = try #require(manifest.functions.first { $0.name == function })
        let timeout = try #require(declaration.timeout ?? manifest.settings.timeout)
        let client = LiveStripeClient(secretKey: "sk_test_budget")
        #expect(client.longestCall < .seconds(timeout), "\(function) may run \(timeout) s")
    }
}
