import Foundation
import Stripe
import Testing

@Suite struct StripeConfigurationTests {
    @Test func withoutAKeyTheMockIsUsed() throws {
        let (client, description) = try StripeConfiguration.client(environment: [:])
        #expect(client is MockStripeClient)
        #expect(description == "Stripe: mock (no STRIPE_SECRET_KEY)")
        #expect(try StripeConfiguration.client(environment: ["STRIPE_SECRET_KEY": " "]).client is MockStripeClient)
    }

    @Test(arguments: ["1", "true", "TRUE", "yes"])
    func stripeMockForcesTheMockEvenWithAKey(value: String) throws {
        let (client, description) = try StripeConfiguration.client(
            environment: ["STRIPE_SECRET_KEY": "sk_test_abc", "STRIPE_MOCK": value])
        #expect(client is MockStripeClient)
        #expect(description == "Stripe: mock (STRIPE_MOCK=\(value))")
    }

    @Test func aKeyChoosesTheLiveClientAtTheDefaultBase() throws {
        let (client, description) = try StripeConfiguration.client(
            environment: ["STRIPE_SECRET_KEY": "sk_test_abc123", "STRIPE_MOCK": "0"])
        let live = try #require(client as? LiveStripeClient)
        #expect(live.baseURL.absoluteString == "https://api.stripe.com")
        #expect(live.apiVersion == "2024-06-20")
        #expect(description == "Stripe: live API at https://api.stripe.com (test mode, Stripe-Version 2024-06-20)")
        #expect(!description.contains("abc123"))
    }

    @Test func stripeAPIBaseSetsTheLiveBase() throws {
        let (client, _) = try StripeConfiguration.client(
            environment: ["STRIPE_SECRET_KEY": "rk_live_abc", "STRIPE_API_BASE": "http://127.0.0.1:8420"])
        #expect((client as? LiveStripeClient)?.baseURL.absoluteString == "http://127.0.0.1:8420")
    }

    @Test(arguments: ["127.0.0.1:8420", "ftp://example.com", "not a url", "", "https://", "http://h/?q=1"])
    func aMalformedBaseIsOneLineNamingIt(base: String) {
        #expect {
            try StripeConfiguration.client(environment: ["STRIPE_SECRET_KEY": "sk_test_abc", "STRIPE_API_BASE": base])
        } throws: { error in
            let line = String(describing: error)
            return line.hasPrefix("STRIPE_API_BASE ") && !line.contains("\n")
        }
    }

    @Test(arguments: ["pk_test_abc123", "sk_", "abcdef", "sk_test_abc def", "sk_test_\u{1}"])
    func aMalformedKeyIsOneLineNamingItWithoutPrintingIt(key: String) {
        #expect {
            try StripeConfiguration.client(environment: ["STRIPE_SECRET_KEY": key])
        } throws: { error in
            let line = String(describing: error)
            return line.hasPrefix("STRIPE_SECRET_KEY ") && (key.count < 4 || !line.contains(key))
                && !line.contains("\n")
        }
    }

    @Test func settingsAreCheckedEvenWhenTheMockIsForced() {
        #expect(throws: StripeConfigurationError.self) {
            try StripeConfiguration.client(environment: ["STRIPE_MOCK": "1", "STRIPE_API_BASE": "nope"])
        }
        #expect {
            try StripeConfiguration.client(environment: ["STRIPE_MOCK": "maybe"])
        } throws: { String(describing: $0).hasPrefix("STRIPE_MOCK ") }
    }
}
