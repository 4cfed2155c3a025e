import Foundation
import SQLKit

/// A timer a handler set (`Transaction.schedule`), as the scheduler fires it.
public struct ScheduledTimer: Sendable {
    /// The timer's id: the fired event's id, recorded in the target's inbox.
    public var id: String
    /// The schedule target.
    public var function: String
    /// The key the handler set it under (one timer per key).
    public var key: String
    /// The payload handed to the target.
    public var payload: JSONValue
    /// When it is due (moved on by retries).
    public var dueAt: Date
    /// Failed firings so far.
    public var attempts: Int
    /// Deferred firings so far (``EventOutcome/deferred(_:)``); they never use up attempts.
    public var deferrals: Int
    /// The trace context of the invocation that set it.
    public var trace: TraceContext?

    /// The CloudEvent `source` of scheduled invocations.
    public static let source = "/ticketing/scheduler"

    /// The CloudEvent `type` of a scheduled invocation of `function`.
    public static func eventType(for function: String) -> String {
        "schedule:\(function)"
    }

    init(row: any SQLRow) throws {
        id = try row.decode(column: "id", as: String.self)
        function = try row.decode(column: "function", as: String.self)
        key = try row.decode(column: "timer_key", as: String.self)
        payload = try JSONValue(parsing: Data(try row.decode(column: "payload", as: String.self).utf8))
        dueAt = Date(epochMilliseconds: try row.decode(column: "due_at", as: Int64.self))
        attempts = try row.decode(column: "attempts", as: Int.self)
        deferrals = try row.decode(column: "deferrals", as: Int.self)
        trace = try row.decode(column: "traceparent", as: String?.self).flatMap {
            TraceContext(traceparent: $0, tracestate: try row.decode(column: "tracestate", as: String?.self))
        }
    }

    /// The CloudEvent the target is invoked with.
    public var event: CloudEvent {
        CloudEvent(
            id: id, source: Self.source, type: Self.eventType(for: function), time: dueAt.iso8601,
            data: payload, subject: key, trace: trace)
    }
}

/// A service's timers: the scheduled invocations its handlers asked for. Every statement on the table is
/// here: handlers set and withdraw timers through their transaction (``set(_:payload:at:in:)``,
/// ``withdraw(key:in:)``), in the same commit as their change; the scheduler reads and settles them.
public struct Timers: Sendable {
    private let database: any ServiceDatabase

    /// The timers of `database`'s service.
    public init(_ database: any ServiceDatabase) {
        self.database = database
    }

    /// Sets `invocation` inside a handler's open transaction (scheduled at `now`), replacing the timer of the
    /// same key if there is one.
    static func set(
        _ invocation: ScheduledInvocation, payload: String, trace: TraceContext?, at now: Date, in sql: any SQLDatabase
    ) async throws {
        try await sql.delete(from: MessagingTables.timers).where("timer_key", .equal, invocation.key).run()
        try await sql.insert(into: MessagingTables.timers)
            .columns("id", "function", "timer_key", "payload", "due_at", "created_at", "traceparent", "tracestate")
            .values(
                SQLBind(invocation.id), SQLBind(invocation.function), SQLBind(invocation.key), SQLBind(payload),
                SQLBind(invocation.dueAt.epochMilliseconds), SQLBind(now.epochMilliseconds),
                SQLBind(trace?.traceparent), SQLBind(trace?.tracestate)
            )
            .run()
    }

    /// Withdraws the timer named `key` inside a handler's open transaction; returns its function if one was
    /// pending.
    static func withdraw(key: String, in sql: any SQLDatabase) async throws -> String? {
        let rows = try await sql.delete(from: MessagingTables.timers).where("timer_key", .equal, key)
            .returning("function").all()
        return try rows.first?.decode(column: "function", as: String.self)
    }

    /// Up to `limit` timers due at `now`, the earliest first.
    public func due(at now: Date, limit: Int) async throws -> [ScheduledTimer] {
        try await database.read { sql in
            try await sql.select().column("*").from(MessagingTables.timers)
                .where("due_at", .lessThanOrEqual, now.epochMilliseconds)
                .orderBy("due_at").limit(limit).all().map(ScheduledTimer.init(row:))
        }
    }

    /// Every timer, the earliest first; with `retried`, only those that have failed or been deferred.
    public func all(retried: Bool = false) async throws -> [ScheduledTimer] {
        try await database.read { sql in
            var query = sql.select().column("*").from(MessagingTables.timers)
            if retried {
                query = query.where(SQLColumn("attempts"), .greaterThan, SQLLiteral.numeric("0"))
                    .orWhere(SQLColumn("deferrals"), .greaterThan, SQLLiteral.numeric("0"))
            }
            return try await query.orderBy("due_at").all().map(ScheduledTimer.init(row:))
        }
    }

    /// The timers set, by the function they will invoke: all of them (`pending`), and those due by `now`.
    public func counts(dueBy now: Date) async throws -> (pending: [String: Int], due: [String: Int]) {
        try await database.read { sql in
            var pending: [String: Int] = [:]
            var due: [String: Int] = [:]
            for row in try await Self.counts.query(now.epochMilliseconds, on: sql).all() {
                let function = try row.decode(column: "function", as: String.self)
                pending[function] = try row.decode(column: "pending", as: Int.self)
                due[function] = try row.decode(column: "due", as: Int?.self) ?? 0
            }
            return (pending, due)
        }
    }

    private static let counts = SQLTemplate(
        """
        SELECT function, count(*) AS pending, sum(CASE WHEN due_at <= ? THEN 1 ELSE 0 END) AS due \
        FROM \(MessagingTables.timers) GROUP BY function
        """)

    /// When the earliest timer is due, if there is one.
    public func nextDue() async throws -> Date? {
        try await database.read { sql in
            try await sql.select().column(SQLFunction("min", args: SQLColumn("due_at")), as: "next")
                .from(MessagingTables.timers).first()?.decode(column: "next", as: Int64?.self)
        }.map { Date(epochMilliseconds: $0) }
    }

    /// Moves `timer` to `date`, storing its tries so far.
    package func reschedule(_ timer: ScheduledTimer, attempts: Int, deferrals: Int, at date: Date) async throws {
        try await database.transaction { sql in
            try await sql.update(MessagingTables.timers)
                .set("attempts", to: attempts)
                .set("deferrals", to: deferrals)
                .set("due_at", to: date.epochMilliseconds)
                .where("id", .equal, timer.id).run()
        }
    }

    /// Removes `timer` by id: if its key was scheduled again meanwhile, the new timer stays.
    package func remove(_ timer: ScheduledTimer) async throws {
        try await database.transaction { sql in
            try await sql.delete(from: MessagingTables.timers).where("id", .equal, timer.id).run()
        }
    }
}
