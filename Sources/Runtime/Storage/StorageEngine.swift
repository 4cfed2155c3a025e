import FunctionKit

/// Where services keep their data: one database per service, opened and migrated on demand.
public protocol StorageEngine: Sendable {
    /// A short name for logs, e.g. `sqlite:/path/.ticketing`.
    var description: String { get }

    /// The database of `service`, with the messaging tables and `migrations` applied.
    func database(for service: String, migrations: [Migration]) async throws -> any ServiceDatabase

    /// Closes every open database.
    func shutdown() async
}
