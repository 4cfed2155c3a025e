import Foundation
import FunctionKit
import SQLKit

/// A delivery given up on: the event, the function it was for, and why.
public struct DeadLetter: Sendable, Encodable {
    /// Whether it came from an outbox or a timer.
    public enum Kind: String, Sendable, Encodable {
        /// An outbox event for a subscription.
        case event
        /// A scheduled invocation.
        case schedule
    }

    /// Whether it waits for an operator or is being delivered again.
    public enum State: String, Sendable, Encodable {
        /// Given up on; listed by `ticketing events dead`.
        case dead
        /// Put back by `ticketing events redrive`; delivered again with a fresh set of attempts.
        case redrive
    }

    /// Its number, for redriving one.
    public var id: Int64
    /// Event or scheduled invocation.
    public var kind: Kind
    /// The function it was for.
    public var consumer: String
    /// The publishing service, or the service that set the timer.
    public var origin: String
    /// The event.
    public var event: CloudEvent
    /// The last error.
    public var error: String
    /// Attempts made.
    public var attempts: Int
    /// When it was given up on.
    public var deadAt: Date
    /// Dead or being redriven.
    public var state: State
    /// When a redriven letter is next tried.
    var nextAttemptAt: Date

    init(row: any SQLRow) throws {
        id = try row.decode(column: "id", as: Int64.self)
        kind = Kind(rawValue: try row.decode(column: "kind", as: String.self)) ?? .event
        consumer = try row.decode(column: "consumer", as: String.self)
        origin = try row.decode(column: "origin", as: String.self)
        event = try JSONDecoder().decode(
            CloudEvent.self, from: Data(try row.decode(column: "event", as: String.self).utf8))
        error = try row.decode(column: "error", as: String.self)
        attempts = try row.decode(column: "attempts", as: Int.self)
        deadAt = Date(epochMilliseconds: try row.decode(column: "dead_at", as: Int64.self))
        state = State(rawValue: try row.decode(column: "state", as: String.self)) ?? .dead
        nextAttemptAt = Date(epochMilliseconds: try row.decode(column: "next_attempt_at", as: Int64.self))
    }

    enum CodingKeys: String, CodingKey {
        case id, kind, consumer, origin, event, error, attempts, deadAt, state
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(kind, forKey: .kind)
        try container.encode(consumer, forKey: .consumer)
        try container.encode(origin, forKey: .origin)
        try container.encode(event, forKey: .event)
        try container.encode(error, forKey: .error)
        try container.encode(attempts, forKey: .attempts)
        try container.encode(deadAt.iso8601, forKey: .deadAt)
        try container.encode(state, forKey: .state)
    }
}

/// The dead-letter list in the runtime's database.
public struct DeadLetters: Sendable {
    let database: any ServiceDatabase

    /// Opens the list kept by `storage`.
    public static func open(_ storage: any StorageEngine) async throws -> DeadLetters {
        DeadLetters(
            database: try await storage.database(
                for: DeliveryTables.database, migrations: DeliveryTables.migrations))
    }

    /// Every dead letter, oldest first; only those `state` when given.
    public func list(state: DeadLetter.State? = nil) async throws -> [DeadLetter] {
        try await database.read { sql in
            // The dispatcher asks for those put back on every pass: a template, not a builder.
            if let state {
                return try await Self.inState.query(state.rawValue, on: sql).all().map(DeadLetter.init(row:))
            }
            return try await sql.select().column("*").from(DeliveryTables.deadLetters).orderBy("id").all()
                .map(DeadLetter.init(row:))
        }
    }

    private static let inState = SQLTemplate("SELECT * FROM \(DeliveryTables.deadLetters) WHERE state = ? ORDER BY id")

    /// Puts the dead letters `ids` (every dead one when `nil`) back for delivery, due at `now`. Returns the
    /// ids put back.
    @discardableResult
    public func redrive(_ ids: [Int64]?, now: Date) async throws -> [Int64] {
        try await database.transaction { sql in
            var query = sql.update(DeliveryTables.deadLetters)
                .set("state", to: DeadLetter.State.redrive.rawValue)
                .set("attempts", to: 0)
                .set("next_attempt_at", to: now.epochMilliseconds)
                .where("state", .equal, DeadLetter.State.dead.rawValue)
            if let ids { query = query.where("id", .in, ids) }
            return try await query.returning("id").all().map { try $0.decode(column: "id", as: Int64.self) }
        }
    }

    /// Records what sending `letter` again (try `attempt`) came to: gone once handled, due again at a retry,
    /// dead again when given up.
    func settle(_ letter: DeadLetter, attempt: Int, action: DeliveryTries.Action, now: Date) async throws {
        try await database.transaction { sql in
            let row = sql.update(DeliveryTables.deadLetters).set("attempts", to: attempt)
            switch action {
            case .advance:
                try await sql.delete(from: DeliveryTables.deadLetters).where("id", .equal, letter.id).run()
            case .retry(let at, let failure, _):
                try await row.set("error", to: failure)
                    .set("state", to: DeadLetter.State.redrive.rawValue)
                    .set("next_attempt_at", to: at.epochMilliseconds)
                    .where("id", .equal, letter.id).run()
            case .deadLetter(let reason):
                try await row.set("error", to: reason)
                    .set("state", to: DeadLetter.State.dead.rawValue)
                    .set("dead_at", to: now.epochMilliseconds)
                    .set("next_attempt_at", to: 0)
                    .where("id", .equal, letter.id).run()
            }
        }
    }

    func add(
        kind: DeadLetter.Kind, consumer: String, origin: String, event: CloudEvent, error: String, attempts: Int,
        now: Date
    ) async throws {
        let json = try JSONCoding.string(event)
        try await database.transaction { sql in
            try await sql.insert(into: DeliveryTables.deadLetters)
                .columns(
                    "kind", "consumer", "origin", "event_id", "event_type", "event", "error", "attempts", "dead_at",
                    "state", "next_attempt_at"
                )
                .values(
                    SQLBind(kind.rawValue), SQLBind(consumer), SQLBind(origin), SQLBind(event.id), SQLBind(event.type),
                    SQLBind(json), SQLBind(error), SQLBind(attempts), SQLBind(now.epochMilliseconds),
                    SQLBind(DeadLetter.State.dead.rawValue), SQLBind(0)
                )
                .run()
        }
    }
}
