import FunctionKit
import Synchronization

/// The databases an invoker has opened, by service: after the first invocation of a service its database
/// is a dictionary lookup away, not a call into the storage engine's actor.
final class OpenDatabases: Sendable {
    private let databases = Mutex<[String: any ServiceDatabase]>([:])

    /// The database of `service`, opened with `open` the first time.
    func database(
        for service: String, open: () async throws -> any ServiceDatabase
    ) async throws -> any ServiceDatabase {
        if let database = databases.withLock({ $0[service] }) { return database }
        let database = try await open()
        databases.withLock { $0[service] = database }
        return database
    }
}
