/// Something `GET /health/ready` checks besides the stores: the dispatcher's loop, say.
public struct ReadinessCheck: Sendable {
    /// The check's name in the probe's body (`delivery`, `timers`).
    public var name: String
    /// Why the process is not ready, or `nil` when it is.
    public var reason: @Sendable () async -> String?

    /// A check named `name`, answering with `reason`.
    public init(name: String, reason: @escaping @Sendable () async -> String?) {
        self.name = name
        self.reason = reason
    }
}
