import Logging
import NIOCore
import NIOPosix
import SQLKit
import SQLiteKit
import SQLiteNIO

/// SQLKit's view of a ``SQLiteHandle``: queries are serialized with SQLiteKit's dialect and encoder and run
/// at once on the calling thread. Whoever holds the session holds its handle's lock.
struct SQLiteSession: SQLDatabase {
    let handle: SQLiteHandle
    let logger: Logger

    var dialect: any SQLDialect { SQLiteDialect() }

    var queryLogLevel: Logger.Level? { .trace }

    /// Only the `EventLoopFuture` API needs a loop; the async path never touches it.
    var eventLoop: any EventLoop { MultiThreadedEventLoopGroup.singleton.any() }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> Void) async throws {
        try await SQLiteBusyWait.run(handle) { try run(query, onRow) }
    }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> Void)
        -> EventLoopFuture<Void>
    {
        do {
            try run(query, onRow)
            return eventLoop.makeSucceededVoidFuture()
        } catch {
            return eventLoop.makeFailedFuture(error)
        }
    }

    /// Serializes `query`, encodes its binds and runs it.
    private func run(_ query: any SQLExpression, _ onRow: (any SQLRow) -> Void) throws {
        let (sql, rawBinds) = serialize(query)
        logger.trace("Executing query", metadata: ["sql": .string(sql)])
        let binds = try rawBinds.map(Self.data)
        try handle.run(sql, binds: binds) { onRow($0) }
    }

    /// A bound value as SQLite data: strings and integers directly, anything else through SQLiteKit's encoder
    /// (which gives the same for those, after a protocol lookup).
    private static func data(_ value: any Encodable & Sendable) throws -> SQLiteData {
        switch value {
        case let text as String: .text(text)
        case let integer as Int: .integer(integer)
        case let integer as Int64: .integer(SQLiteInt64(integer))
        default: try SQLiteDataEncoder().encode(value)
        }
    }
}
