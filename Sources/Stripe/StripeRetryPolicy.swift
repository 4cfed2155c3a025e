import Foundation

/// When and how long ``LiveStripeClient`` waits before sending a request again.
///
/// What is retried (each with the same `Idempotency-Key`, so Stripe never acts twice):
/// - a connection failure or timeout, a `409` (another request with the same key is still running) and
///   any `5xx`: only when the request carries an idempotency key, as every `POST` of this client does;
/// - a `429` (rate limited before Stripe looked at the request): always;
/// - whatever Stripe marks with `Stripe-Should-Retry: true`; never what it marks `false`, whatever the status
///   (Stripe sets the header when it knows better than the status code).
///
/// The wait before retry `n` (1, 2, …) is `initialDelay · 2^(n-1)`, raised to the `Retry-After` the response
/// asked for, and never more than `maxDelay`.
public struct StripeRetryPolicy: Sendable, Equatable {
    /// How many times a request may be sent again after the first attempt.
    public var maxRetries: Int
    /// The wait before the first retry.
    public var initialDelay: Duration
    /// The longest wait before any retry, `Retry-After` included.
    public var maxDelay: Duration

    /// Creates a policy.
    public init(maxRetries: Int = 2, initialDelay: Duration = .milliseconds(500), maxDelay: Duration = .seconds(5)) {
        self.maxRetries = max(0, maxRetries)
        self.initialDelay = max(.zero, initialDelay)
        self.maxDelay = max(.zero, maxDelay)
    }

    /// Two retries, 0.5 s then 1 s apart (or what `Retry-After` asks, up to 5 s): Stripe's own libraries' default.
    public static let standard = StripeRetryPolicy()

    /// Never retries.
    public static let never = StripeRetryPolicy(maxRetries: 0)

    /// Retries `maxRetries` times without waiting: for tests.
    public static func immediate(maxRetries: Int = 2) -> StripeRetryPolicy {
        StripeRetryPolicy(maxRetries: maxRetries, initialDelay: .zero, maxDelay: .zero)
    }

    /// The wait before retry number `retry` (counting from 1), given the `Retry-After` of the last answer.
    public func delay(beforeRetry retry: Int, retryAfter: Duration? = nil) -> Duration {
        let doublings = min(max(retry - 1, 0), 16)
        let backoff = initialDelay * (1 << doublings)
        return min(maxDelay, max(backoff, retryAfter ?? .zero))
    }

    /// Whether an attempt that ended in `outcome` may be sent again, after `attemptsSoFar` attempts.
    func allowsRetry(after outcome: AttemptOutcome, attemptsSoFar: Int, idempotent: Bool) -> Bool {
        guard attemptsSoFar <= maxRetries else { return false }
        switch outcome {
        case .noAnswer:
            return idempotent
        case .answer(let status, let shouldRetry):
            if let shouldRetry { return shouldRetry }
            if status == 429 { return true }
            return idempotent && (status == 409 || status >= 500)
        }
    }

    /// How one attempt ended, as far as retrying is concerned.
    enum AttemptOutcome: Sendable, Equatable {
        /// No HTTP answer: connection refused or lost, timeout.
        case noAnswer
        /// An HTTP answer that is not a success, with its `Stripe-Should-Retry` header if present.
        case answer(status: Int, shouldRetry: Bool?)
    }
}
