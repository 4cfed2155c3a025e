import Foundation
import FunctionKit
import Logging

/// The embedded default engine: one SQLite file per service under the data directory.
public actor SQLiteEngine: StorageEngine {
    /// The directory holding the files.
    public let directory: URL
    private let logger: Logger
    private var open: [String: SQLiteServiceDatabase] = [:]
    private var opening: [String: Task<SQLiteServiceDatabase, any Error>] = [:]
    private var closed = false

    /// Creates the engine, creating `directory` if needed.
    public init(directory: URL, logger: Logger) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        self.directory = directory
        self.logger = logger
    }

    public nonisolated var description: String { "sqlite:\(directory.path)" }

    public func database(for service: String, migrations: [Migration]) async throws -> any ServiceDatabase {
        if let database = open[service] { return database }
        if let pending = opening[service] { return try await pending.value }
        let path = directory.appendingPathComponent("\(service).sqlite").path
        let logger = self.logger
        // One opening per service at a time: callers asking meanwhile wait for the same one.
        let task = Task {
            let database = try await SQLiteServiceDatabase.open(service: service, path: path, logger: logger)
            do {
                try await Migrator(database: database, logger: logger).apply(MessagingTables.migrations + migrations)
            } catch {
                await database.close()
                throw error
            }
            return database
        }
        opening[service] = task
        defer { opening[service] = nil }
        let database = try await task.value
        guard !closed else {
            await database.close()
            throw CancellationError()
        }
        open[service] = database
        return database
    }

    public func shutdown() async {
        closed = true
        for database in open.values { await database.close() }
        open = [:]
    }
}
