import FunctionKit

/// Where services keep their data: one database per service, opened and migrated on demand.
public protocol StorageEngine: Sendable {
    /// A short name for logs, e.g. `sqlite:/path/.ticketing`.
    var description: String { get }

    /// The database of `service`, with the messaging tables and `migrations` applied.
    func database(for service: String, migrations: [Migration]) async throws -> any ServiceDatabase

    /// Closes every open database.
    func shutdown() async

    /// Runs `body` while holding the delivery lease `name`, or returns `nil` at once when another runtime on
    /// the same storage holds it. Delivery takes one lease per subscription and per service's timers, so
    /// that however many runtimes share a database, each event is delivered and each timer fired by one of
    /// them at a time; a runtime that dies releases its leases with its connections.
    func withLease<T: Sendable>(_ name: String, _ body: @Sendable () async throws -> T) async throws -> T?

    /// Calls `published` whenever a commit anywhere on this storage publishes, and `scheduled` whenever one
    /// sets or moves a timer, until the task is cancelled. Engines that cannot tell return at once, and
    /// delivery relies on its own commits and its resync interval.
    func watchCommits(published: @escaping @Sendable () -> Void, scheduled: @escaping @Sendable () -> Void) async
}

extension StorageEngine {
    /// One runtime per storage: every lease is free.
    public func withLease<T: Sendable>(_ name: String, _ body: @Sendable () async throws -> T) async throws -> T? {
        try await body()
    }

    /// No notifications.
    public func watchCommits(
        published: @escaping @Sendable () -> Void, scheduled: @escaping @Sendable () -> Void
    ) async {}
}
