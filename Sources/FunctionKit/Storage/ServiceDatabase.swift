import SQLKit

/// One service's database: its own tables plus its outbox, inbox and timers.
///
/// Every statement goes through SQLKit, so the same handler code runs on the embedded SQLite engine and
/// on PostgreSQL. Implementations live in the runtime.
public protocol ServiceDatabase: Sendable {
    /// The owning service, e.g. `tickets`.
    var service: String { get }

    /// Runs `body` in one transaction: committed when it returns, rolled back when it throws.
    func transaction<T: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T

    /// Runs read-only work outside a write transaction.
    func read<T: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T
}

/// A named, idempotent schema change of one service, applied once in order.
public struct Migration: Sendable {
    /// A unique name within the service, e.g. `001-create-tickets`.
    public let name: String
    /// The change, written with SQLKit so it runs on every engine.
    public let apply: @Sendable (any SQLDatabase) async throws -> Void

    /// Creates a migration.
    public init(_ name: String, apply: @escaping @Sendable (any SQLDatabase) async throws -> Void) {
        self.name = name
        self.apply = apply
    }
}
