import Foundation
import FunctionKit
import Logging

/// The embedded default engine: one SQLite file per service under the data directory.
public actor SQLiteEngine: StorageEngine {
    /// The directory holding the files.
    public let directory: URL
    private let logger: Logger
    private var open: [String: SQLiteServiceDatabase] = [:]

    /// Creates the engine, creating `directory` if needed.
    public init(directory: URL, logger: Logger) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        self.directory = directory
        self.logger = logger
    }

    public nonisolated var description: String { "sqlite:\(directory.path)" }

    public func database(for service: String, migrations: [Migration]) async throws -> any ServiceDatabase {
        if let database = open[service] { return database }
        let path = directory.appendingPathComponent("\(service).sqlite").path
        let database = try await SQLiteServiceDatabase.open(service: service, path: path, logger: logger)
        try await Migrator(database: database, logger: logger).apply(MessagingTables.migrations + migrations)
        if let raced = open[service] {
            await database.close()
            return raced
        }
        open[service] = database
        return database
    }

    public func shutdown() async {
        for database in open.values { await database.close() }
        open = [:]
    }
}
