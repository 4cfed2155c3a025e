import Contracts
import Foundation
import SQLKit

/// A service's outbox: the events it published, in commit order. Every statement on the table is here:
/// handlers append through their transaction's `publish` (``append(_:data:in:)``), in the same commit as their
/// change; delivery reads how far it goes and the events after a position.
public struct Outbox: Sendable {
    private let database: any ServiceDatabase

    /// The outbox of `database`'s service.
    public init(_ database: any ServiceDatabase) {
        self.database = database
    }

    /// Appends `event`, whose `data` is `data` as published, inside a handler's open transaction.
    ///
    /// An ``SQLTemplate``, not a builder: every event is written here, and SQLKit's builders (and even its
    /// interpolated text) cost several times the statement itself to serialize (see scripts/bench,
    /// instructions per request).
    static func append(_ event: CloudEvent, data: Data, at time: Date, in sql: any SQLDatabase) async throws {
        try await insert.query(
            event.id, event.type, String(decoding: data, as: UTF8.self), time.epochMilliseconds, event.traceparent,
            event.tracestate, on: sql
        ).run()
    }

    private static let insert = SQLTemplate(
        """
        INSERT INTO \(MessagingTables.outbox) (event_id, subject, data, created_at, traceparent, tracestate) \
        VALUES (?, ?, ?, ?, ?, ?)
        """)

    /// The highest number in the outbox, once its committed rows are numbered (0 when it is empty).
    public func head() async throws -> Int64 {
        if let sequencing = database as? any OutboxSequencing { return try await sequencing.sequenceOutbox() }
        return try await database.read { sql in
            try await Self.head.query(on: sql).first()?.decode(column: "head", as: Int64?.self) ?? 0
        }
    }

    /// Up to `limit` events of `subject` (of every subject when `nil`) after `position`, oldest first. Only
    /// numbered rows are read: on PostgreSQL, ``head()`` numbers those committed since it last ran.
    public func events(after position: Int64, subject: String? = nil, limit: Int) async throws -> [OutboxEvent] {
        let publisher = database.service
        return try await database.read { sql in
            let query =
                if let subject {
                    Self.eventsOfSubject.query(subject, position, limit, on: sql)
                } else {
                    Self.events.query(position, limit, on: sql)
                }
            return try await query.all().map { try OutboxEvent(row: $0, publisher: publisher) }
        }
    }

    /// How many events of `subject` (of every subject when `nil`) come after `position`: a subscription's
    /// backlog. On PostgreSQL a committed row not numbered yet has a provisional negative `seq`; it counts too,
    /// as it will be numbered after `position`.
    public func count(after position: Int64, subject: String? = nil) async throws -> Int {
        try await database.read { sql in
            let query =
                if let subject {
                    Self.countOfSubject.query(subject, position, on: sql)
                } else {
                    Self.countAll.query(position, on: sql)
                }
            return try await query.first()?.decode(column: "waiting", as: Int.self) ?? 0
        }
    }

    private static let countAll = SQLTemplate(
        "SELECT count(*) AS waiting FROM \(MessagingTables.outbox) WHERE (seq > ? OR seq < 0)")
    private static let countOfSubject = SQLTemplate(
        "SELECT count(*) AS waiting FROM \(MessagingTables.outbox) WHERE subject = ? AND (seq > ? OR seq < 0)")

    // Templates, not builders: the dispatcher runs these on every pass.
    private static let head = SQLTemplate("SELECT max(seq) AS head FROM \(MessagingTables.outbox)")
    private static let events = SQLTemplate(
        "SELECT \(OutboxEvent.columnList) FROM \(MessagingTables.outbox) WHERE seq > ? ORDER BY seq LIMIT ?")
    private static let eventsOfSubject = SQLTemplate(
        """
        SELECT \(OutboxEvent.columnList) FROM \(MessagingTables.outbox) WHERE subject = ? AND seq > ? \
        ORDER BY seq LIMIT ?
        """)
}

/// One row of a service's outbox, read back as the CloudEvent it was published as.
public struct OutboxEvent: Sendable {
    /// The row's position in commit order.
    public var seq: Int64
    /// The event.
    public var event: CloudEvent
    /// When its transaction published it (the event's `time`).
    public var publishedAt: Date

    /// The columns a row is read from, as a select list.
    static let columnList = "seq, event_id, subject, data, created_at, traceparent, tracestate"

    init(row: any SQLRow, publisher: String) throws {
        seq = try row.decode(column: "seq", as: Int64.self)
        let subject = Subject(rawValue: try row.decode(column: "subject", as: String.self))
        let data = try row.decode(column: "data", as: String.self)
        let createdAt = Date(epochMilliseconds: try row.decode(column: "created_at", as: Int64.self))
        publishedAt = createdAt
        event = CloudEvent.published(
            id: try row.decode(column: "event_id", as: String.self), subject: subject, by: publisher, at: createdAt,
            data: try JSONValue(parsing: Data(data.utf8)),
            trace: try row.decode(column: "traceparent", as: String?.self).flatMap {
                TraceContext(traceparent: $0, tracestate: try row.decode(column: "tracestate", as: String?.self))
            })
    }
}

/// A database whose outbox rows are numbered in commit order only when asked (PostgreSQL: the engine's
/// `PostgresMessaging`); on SQLite, whose one writer numbers them as they commit, nothing needs asking.
public protocol OutboxSequencing: Sendable {
    /// Numbers the committed rows not numbered yet, after every number handed out before; returns the
    /// highest number.
    func sequenceOutbox() async throws -> Int64
}
