import ChildProcess
import Foundation
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif
#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// localstripe (PyPI `localstripe`, a fake but stateful Stripe server) for the tests of the suite it is
/// attached to: `LOCALSTRIPE_URL` when set, else the `localstripe` command on `PATH` started on a free port
/// (`--from-scratch`) and stopped after the suite. Neither available is a failure that says to run
/// `scripts/setup`, never a silent pass.
struct LocalStripe: SuiteTrait, TestScoping {
    /// The running localstripe's root URL, inside the suite.
    @TaskLocal static var url: URL?

    /// The secret key the tests use: localstripe accepts any `sk_…` longer than five characters.
    static let secretKey = "sk_test_ticketing"

    var isRecursive: Bool { false }

    func provideScope(
        for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void
    ) async throws {
        if let text = ProcessInfo.processInfo.environment["LOCALSTRIPE_URL"], !text.isEmpty {
            guard let url = URL(string: text) else {
                throw LocalStripeUnavailable("LOCALSTRIPE_URL '\(text)' is not a URL")
            }
            try await Self.waitUntilAnswering(url, process: nil)
            try await Self.$url.withValue(url) { try await function() }
            return
        }
        guard let command = Self.commandOnPath("localstripe") else {
            throw LocalStripeUnavailable(
                "localstripe is not installed (no `localstripe` on PATH and no LOCALSTRIPE_URL): run scripts/setup")
        }
        let port = try FakeStripeServer.closedPort()
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("localstripe-\(port).log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let process = try ChildProcess(
            command.path, ["--port", String(port), "--from-scratch"], output: .file(log.path), error: .file(log.path))
        defer {
            process.terminate()
            process.waitUntilExit()
            try? FileManager.default.removeItem(at: log)
        }
        let url = URL(string: "http://127.0.0.1:\(port)") ?? URL(fileURLWithPath: "/")
        do {
            try await Self.waitUntilAnswering(url, process: process)
        } catch {
            let output = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
            throw LocalStripeUnavailable("\(error) — localstripe said: \(output.suffix(500))")
        }
        try await Self.$url.withValue(url) { try await function() }
    }

    /// Polls `url` until any HTTP answer comes (localstripe answers 401 to an unauthenticated request). The
    /// bound is generous: on a loaded 2-core machine (the whole suite runs in parallel) Python's start-up and
    /// the first request can take tens of seconds.
    private static func waitUntilAnswering(_ url: URL, process: ChildProcess?) async throws {
        let deadline = ContinuousClock.now + .seconds(120)
        var request = URLRequest(url: url.appendingPathComponent("v1/balance"))
        request.timeoutInterval = 10
        while ContinuousClock.now < deadline {
            if let process, !process.isRunning {
                throw LocalStripeUnavailable("localstripe exited with status \(process.terminationStatus)")
            }
            if (try? await URLSession.shared.data(for: request)) != nil { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw LocalStripeUnavailable("localstripe did not answer at \(url) within 120 s")
    }

    /// The first executable called `name` on `PATH`.
    private static func commandOnPath(_ name: String) -> URL? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        for directory in path.split(separator: ":") {
            let candidate = URL(fileURLWithPath: String(directory)).appendingPathComponent(name)
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        }
        return nil
    }

    // MARK: - Talking to localstripe directly (to create what a browser would)

    /// `POST`s `fields` to localstripe at `path` with the test key and returns the decoded JSON object.
    static func post(_ path: String, _ fields: [(String, String)], at url: URL) async throws -> [String: Any] {
        var request = URLRequest(url: url.appendingPathComponent(path))
        request.httpMethod = "POST"
        request.setValue("Bearer \(secretKey)", forHTTPHeaderField: "Authorization")
        request.setValue("application/x-www-form-urlencoded", forHTTPHeaderField: "Content-Type")
        let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-._~"))
        request.httpBody = Data(
            fields.map { name, value in
                name + "=" + (value.addingPercentEncoding(withAllowedCharacters: allowed) ?? value)
            }.joined(separator: "&").utf8)
        let (data, _) = try await URLSession.shared.data(for: request)
        guard let object = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw LocalStripeUnavailable("localstripe answered \(path) with \(String(decoding: data, as: UTF8.self))")
        }
        return object
    }

    /// A card PaymentMethod (`pm_…`) for `number`, as Stripe.js would create it in the buyer's browser.
    static func paymentMethod(cardNumber number: String, at url: URL) async throws -> String {
        let object = try await post(
            "v1/payment_methods",
            [
                ("type", "card"), ("card[number]", number), ("card[exp_month]", "12"), ("card[exp_year]", "2030"),
                ("card[cvc]", "123"),
            ], at: url)
        guard let id = object["id"] as? String else { throw LocalStripeUnavailable("no PaymentMethod id: \(object)") }
        return id
    }

    /// A card source (`card_…`) for `number`, from a token as Stripe.js would create it. localstripe's Charges
    /// take `card_…`, `src_…` or `pm_…` sources but not the `tok_…` id itself.
    static func cardSource(cardNumber number: String, at url: URL) async throws -> String {
        let object = try await post(
            "v1/tokens",
            [("card[number]", number), ("card[exp_month]", "12"), ("card[exp_year]", "2030"), ("card[cvc]", "123")],
            at: url)
        guard let card = object["card"] as? [String: Any], let id = card["id"] as? String else {
            throw LocalStripeUnavailable("no card in token: \(object)")
        }
        return id
    }
}

extension Trait where Self == LocalStripe {
    /// Runs the suite against localstripe.
    static var localStripe: LocalStripe { LocalStripe() }
}

/// localstripe could not be found, started or used.
struct LocalStripeUnavailable: Error, CustomStringConvertible {
    var description: String

    init(_ description: String) { self.description = description }
}
