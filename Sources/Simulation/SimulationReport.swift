/// What one seed's run did and found.
public struct SimulationReport: Sendable {
    /// The seed: running it again replays the same steps and faults.
    public var seed: UInt64
    /// Workload steps taken (requests, delivery passes, clock moves, faults armed).
    public var steps = 0
    /// HTTP requests made.
    public var requests = 0
    /// How many requests got each answer, by function and status (e.g. `orders-create 201`).
    public var answers: [String: Int] = [:]
    /// Event deliveries and timer firings made.
    public var deliveries = 0
    /// Restarts after a crash, and the one before quiescing.
    public var restarts = 0
    /// Faults injected, by kind.
    public var faults: [FaultKind: Int] = [:]
    /// Orders that ended complete, and cancelled.
    public var ordersComplete = 0
    public var ordersCancelled = 0
    /// Charges Stripe made, and refunds.
    public var charges = 0
    public var refunds = 0
    /// Dead letters left, every one explained by the faults that hit its attempts.
    public var deadLetters = 0
    /// Broken invariants, each described.
    public var violations: [String] = []

    /// A report for `seed`, empty so far.
    public init(seed: UInt64) {
        self.seed = seed
    }

    /// The number of faults injected.
    public var faultCount: Int { faults.values.reduce(0, +) }
}
