import Foundation

/// Which build the `serve --watch` front forwards to. While a build is swapped for the next one the front
/// holds its requests, which then go to the new build; with no good build yet, requests are answered with
/// the build's errors.
actor Upstream {
    /// Where a request goes.
    enum Target: Sendable, Equatable {
        /// The build serving at this address.
        case serving(URL)
        /// No build serves: the reason, for the client.
        case unavailable(String)
    }

    private var target: Target?
    private var waiting: [CheckedContinuation<Target, Never>] = []
    /// The change that led to the build now serving, until a request has been answered by it.
    private var awaitedSince: ContinuousClock.Instant?

    /// Where a request goes now; waits while a swap holds requests.
    func current() async -> Target {
        if let target { return target }
        return await withCheckedContinuation { waiting.append($0) }
    }

    /// Where a request goes once the build at `url` is no longer the one to use: waits while a swap holds
    /// requests; `unavailable` if `url` still serves (it stopped by itself).
    func next(after url: URL) async -> Target {
        let next = await current()
        if next == .serving(url) {
            return .unavailable("The server stopped unexpectedly; it restarts at the next change")
        }
        return next
    }

    /// Holds requests from now on, until `serve(_:)` or `fail(_:)`.
    func hold() {
        target = nil
    }

    /// Sends requests to the build at `url`, starting with those held; `changed` is when the change it was
    /// built for was seen, for the figure printed when it first answers.
    func serve(_ url: URL, changed: ContinuousClock.Instant?) {
        awaitedSince = changed
        release(.serving(url))
    }

    /// Answers requests, those held first, with `message`.
    func fail(_ message: String) {
        awaitedSince = nil
        release(.unavailable(message))
    }

    /// Notes that the build at `url` answered a request; the seconds since the change it was built for, the
    /// first time.
    func answered(by url: URL) -> Double? {
        guard let since = awaitedSince, target == .serving(url) else { return nil }
        awaitedSince = nil
        return ProjectBuilder.seconds(since: since)
    }

    private func release(_ target: Target) {
        self.target = target
        let held = waiting
        waiting = []
        for continuation in held { continuation.resume(returning: target) }
    }
}
