import Foundation
import Synchronization

/// The contracts under a directory, read the first time a check needs them: a process that runs one HTTP
/// function (`ticketing invoke`) never parses the schemas, and one that runs for long reads them once.
public final class LazyContracts: Sendable {
    /// Where the schemas are.
    public let directory: URL
    private let loaded: Mutex<Result<ContractCatalog, any Error>?>

    /// Contracts to be read from `directory` when first asked for.
    public init(directory: URL) {
        self.directory = directory
        loaded = Mutex(nil)
    }

    /// Contracts already read.
    public init(_ catalog: ContractCatalog) {
        directory = catalog.directory
        loaded = Mutex(.success(catalog))
    }

    /// The catalog, read now if it has not been; a failure to read is kept and thrown again.
    public func catalog() throws -> ContractCatalog {
        let result = loaded.withLock { loaded -> Result<ContractCatalog, any Error> in
            if let loaded { return loaded }
            let result = Result { try ContractCatalog.load(directory: directory) }
            loaded = result
            return result
        }
        return try result.get()
    }

    /// The subjects that have a data schema, from the file names under `directory/events/` alone
    /// (`ticket-created.json` is `ticket:created`), without parsing the schemas.
    public static func subjects(in directory: URL) throws -> Set<String> {
        let events = directory.appendingPathComponent("events")
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: events.path) else {
            throw SchemaValidator.SchemaError(description: "cannot read the schemas in \(directory.path)")
        }
        return Set(
            names.filter { $0.hasSuffix(".json") }.map { ContractCatalog.subject(ofSchemaFile: $0[...]) })
    }
}
