import Foundation
import FunctionKit
import Logging
import SQLKit

/// Applies a service's migrations once each, in order, each in its own transaction together with its
/// record in `schema_migrations`, so running it again (or from two processes at once) changes nothing.
struct Migrator {
    static let table = "schema_migrations"

    let database: any ServiceDatabase
    let logger: Logger

    func apply(_ migrations: [Migration]) async throws {
        try await database.transaction { sql in
            try await sql.create(table: Self.table).ifNotExists()
                .column("name", type: .text, .primaryKey(autoIncrement: false))
                .column("applied_at", type: .bigint, .notNull)
                .run()
        }
        let applied = try await database.read { sql in
            try await sql.select().column("name").from(Self.table).all().map {
                try $0.decode(column: "name", as: String.self)
            }
        }
        for migration in migrations where !applied.contains(migration.name) {
            let service = database.service
            try await database.transaction { sql in
                let again = try await sql.select().column("name").from(Self.table).where("name", .equal, migration.name)
                    .first()
                guard again == nil else { return }
                try await migration.apply(sql)
                try await sql.insert(into: Self.table).columns("name", "applied_at")
                    .values(SQLBind(migration.name), SQLBind(Int64(Date.now.timeIntervalSince1970 * 1000))).run()
            }
            logger.debug("applied migration", metadata: ["service": "\(service)", "migration": "\(migration.name)"])
        }
    }
}
