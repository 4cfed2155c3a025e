import FunctionKit
import Synchronization

/// Each service's database, opened and migrated the first time it is asked for, then a dictionary lookup
/// away rather than a call into the storage engine's actor. The invoker and the delivery loops share one.
public final class ServiceDatabases: Sendable {
    /// The engine the databases live in.
    public let storage: any StorageEngine
    private let migrations: [String: [Migration]]
    private let opened = Mutex<[String: any ServiceDatabase]>([:])

    /// The databases of `registry`'s services in `storage`.
    public init(storage: any StorageEngine, registry: FunctionRegistry) {
        self.storage = storage
        migrations = registry.services.mapValues(\.migrations)
    }

    /// The database of `service`, migrated.
    public func database(for service: String) async throws -> any ServiceDatabase {
        if let database = opened.withLock({ $0[service] }) { return database }
        let database = try await storage.database(for: service, migrations: migrations[service] ?? [])
        opened.withLock { $0[service] = database }
        return database
    }

    /// The runtime's own database: delivery cursors and dead letters.
    public func delivery() async throws -> any ServiceDatabase {
        try await storage.database(for: DeliveryTables.database, migrations: DeliveryTables.migrations)
    }
}
