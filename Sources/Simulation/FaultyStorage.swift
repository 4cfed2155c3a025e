import FunctionKit
import Logging
import NIOCore
import Runtime
import SQLKit

/// A storage engine whose statements fail where the ``FaultPlan`` says, and stop reaching the database
/// once the process has "crashed".
struct FaultyStorage: StorageEngine {
    let base: any StorageEngine
    let plan: FaultPlan

    var description: String { "faulty \(base.description)" }

    func database(for service: String, migrations: [Migration]) async throws -> any ServiceDatabase {
        FaultyDatabase(base: try await base.database(for: service, migrations: migrations), plan: plan)
    }

    func shutdown() async {
        await base.shutdown()
    }

    func withLease<T: Sendable>(_ name: String, _ body: @Sendable () async throws -> T) async throws -> T? {
        try await base.withLease(name, body)
    }
}

/// One service's database behind the fault plan.
struct FaultyDatabase: ServiceDatabase {
    let base: any ServiceDatabase
    let plan: FaultPlan

    var service: String { base.service }

    func transaction<T: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        try plan.beforeStatement()
        let plan = self.plan
        return try await base.transaction { sql in try await body(FaultySQL(base: sql, plan: plan)) }
    }

    func read<T: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        let plan = self.plan
        return try await base.read { sql in try await body(FaultySQL(base: sql, plan: plan)) }
    }
}

/// PostgreSQL numbers outbox rows when the dispatcher reads (``OutboxSequencing``); the wrapper passes that on.
extension FaultyDatabase: OutboxSequencing {
    func sequenceOutbox() async throws -> Int64 {
        try plan.beforeStatement()
        if let sequencing = base as? any OutboxSequencing { return try await sequencing.sequenceOutbox() }
        return try await Outbox(base).head()
    }
}

/// A connection whose every statement asks the fault plan first.
struct FaultySQL: SQLDatabase {
    let base: any SQLDatabase
    let plan: FaultPlan

    var logger: Logger { base.logger }
    var eventLoop: any EventLoop { base.eventLoop }
    var version: (any SQLDatabaseReportedVersion)? { base.version }
    var dialect: any SQLDialect { base.dialect }
    var queryLogLevel: Logger.Level? { base.queryLogLevel }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> Void)
        -> EventLoopFuture<Void>
    {
        do {
            try plan.beforeStatement()
        } catch {
            return eventLoop.makeFailedFuture(error)
        }
        return base.execute(sql: query, onRow)
    }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> Void) async throws {
        try plan.beforeStatement()
        try await base.execute(sql: query, onRow)
    }
}
