import Foundation

/// Picks the ``StripeClient`` from the environment (SPEC §10):
///
/// - `STRIPE_SECRET_KEY` absent or empty → ``MockStripeClient``;
/// - `STRIPE_MOCK` = `1`/`true`/`yes` → the mock even with a key (`0`/`false`/`no`/empty: no effect);
/// - otherwise ``LiveStripeClient`` with that key, which must start with `sk_` or `rk_`, at `STRIPE_API_BASE`
///   (an `http` or `https` URL; `https://api.stripe.com` when absent).
///
/// Every setting is checked even when the mock is chosen, so a malformed one stops start-up with one line
/// naming it; the key itself is never printed.
public enum StripeConfiguration {
    /// The client the environment asks for, and one line saying which it is for the start-up log.
    public static func client(
        environment: [String: String]
    ) throws -> (client: any StripeClient, description: String) {
        let forced = try mockForced(environment)
        let baseURL = try apiBase(environment)
        let key = environment["STRIPE_SECRET_KEY"]?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        if !key.isEmpty { try checkKey(key) }
        if forced {
            return (MockStripeClient(), "Stripe: mock (STRIPE_MOCK=\(environment["STRIPE_MOCK"] ?? ""))")
        }
        guard !key.isEmpty else { return (MockStripeClient(), "Stripe: mock (no STRIPE_SECRET_KEY)") }
        let client = LiveStripeClient(secretKey: key, baseURL: baseURL ?? LiveStripeClient.defaultBaseURL)
        let mode = key.contains("_live_") ? "live mode" : key.contains("_test_") ? "test mode" : "key mode unknown"
        return (
            client,
            "Stripe: live API at \(client.baseURL.absoluteString) (\(mode), Stripe-Version \(client.apiVersion))"
        )
    }

    private static func mockForced(_ environment: [String: String]) throws -> Bool {
        guard let text = environment["STRIPE_MOCK"] else { return false }
        switch text.trimmingCharacters(in: .whitespaces).lowercased() {
        case "1", "true", "yes": return true
        case "0", "false", "no", "": return false
        default: throw StripeConfigurationError("STRIPE_MOCK must be 1, true, 0 or false, not '\(text)'")
        }
    }

    private static func apiBase(_ environment: [String: String]) throws -> URL? {
        guard let text = environment["STRIPE_API_BASE"] else { return nil }
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard let url = URL(string: trimmed), let scheme = url.scheme?.lowercased(),
            scheme == "http" || scheme == "https",
            let host = url.host, !host.isEmpty, url.query == nil, url.fragment == nil
        else {
            throw StripeConfigurationError(
                "STRIPE_API_BASE must be an http(s) URL such as https://api.stripe.com, not '\(text)'")
        }
        return url
    }

    private static func checkKey(_ key: String) throws {
        let allowed = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")
        guard key.hasPrefix("sk_") || key.hasPrefix("rk_"), key.count > 3,
            key.unicodeScalars.allSatisfy({ allowed.contains($0) })
        else {
            throw StripeConfigurationError(
                "STRIPE_SECRET_KEY must be a Stripe secret key (sk_…) or restricted key (rk_…)")
        }
    }
}

/// A Stripe setting that is malformed, as one line naming it.
public struct StripeConfigurationError: Error, Equatable, CustomStringConvertible {
    /// The line, e.g. `STRIPE_API_BASE must be an http(s) URL …`.
    public let description: String

    /// Creates an error with its line.
    public init(_ description: String) {
        self.description = description
    }
}
