import Contracts
import Foundation
import FunctionKit
import FunctionTesting
import Orders
import Runtime
import SQLKit

/// An orders harness with a seller (alice), two buyers (bob, carol) and one replicated ticket of alice's.
struct OrdersFixture {
    static let ticketID = "8f14e45f-ceea-467f-a8f5-6a4f1f6ad0c1"

    let harness: TestHarness
    let alice: String
    let bob: String
    let carol: String

    static func with(
        expirationWindow: TimeInterval = OrdersService.defaultExpirationWindow,
        _ body: (OrdersFixture) async throws -> Void
    ) async throws {
        try await TestHarness.with(services: [OrdersService.definition(expirationWindow: expirationWindow)]) {
            harness in
            let fixture = OrdersFixture(
                harness: harness,
                alice: try await harness.token(userID: "alice-id", email: "alice@example.com"),
                bob: try await harness.token(userID: "bob-id", email: "bob@example.com"),
                carol: try await harness.token(userID: "carol-id", email: "carol@example.com"))
            try await fixture.replicate(ticketID)
            try await body(fixture)
        }
    }

    /// Delivers `ticket:created` for a ticket of `seller` to the orders replica.
    func replicate(_ id: String, title: String = "Eras Tour", cents: Int = 14999, seller: String = "alice-id")
        async throws
    {
        let result = try await harness.deliver(
            "orders-on-ticket-created",
            try Events.make(
                TicketCreated(id: id, version: 0, title: title, price: Price(cents: cents), userId: seller),
                source: "/ticketing/tickets"))
        guard result.outcome == .handled else { throw FixtureError("replicate failed: \(result.outcome)") }
    }

    /// Orders `ticketID` as `token`.
    func order(_ ticketID: String = OrdersFixture.ticketID, token: String) async throws -> TestResponse {
        try await harness.http("orders-create", json: .object(["ticketId": .string(ticketID)]), token: token)
    }

    /// Orders `ticketID` as `token` and returns the order's id.
    func placeOrder(_ ticketID: String = OrdersFixture.ticketID, token: String) async throws -> String {
        let response = try await order(ticketID, token: token)
        guard response.status == 201, let id = response.string("id") else {
            throw FixtureError("order failed: \(response.status) \(response.response.body)")
        }
        return id
    }

    /// Shows order `id` as `token`.
    func show(_ id: String, token: String?) async throws -> TestResponse {
        try await harness.http("orders-show", token: token, pathParameters: ["id": id])
    }

    /// Cancels order `id` as `token`.
    func cancel(_ id: String, token: String?) async throws -> TestResponse {
        try await harness.http("orders-cancel", token: token, pathParameters: ["id": id])
    }

    /// Delivers `payload` to `function` as a new event (or as the event `id`).
    func deliver<Payload: EventPayload>(
        _ function: String, _ payload: Payload, id: String = UUID().uuidString, source: String
    ) async throws -> EventInvocation {
        try await harness.deliver(function, try Events.make(payload, id: id, source: source))
    }

    /// The stored status and version of order `id`.
    func stored(_ id: String) async throws -> StoredOrder? {
        let database = try await harness.invoker.database(for: OrdersService.name)
        return try await database.read { sql in
            guard
                let row = try await sql.select().columns("status", "version").from("orders").where("id", .equal, id)
                    .first()
            else { return nil }
            return StoredOrder(
                try row.decode(column: "status", as: String.self), try row.decode(column: "version", as: Int.self))
        }
    }

    /// The replica of ticket `id`: title, price in cents and version.
    func replica(_ id: String = OrdersFixture.ticketID) async throws -> Replica? {
        let database = try await harness.invoker.database(for: OrdersService.name)
        return try await database.read { sql in
            guard
                let row = try await sql.select().columns("title", "price_cents", "version").from("ticket_replicas")
                    .where("id", .equal, id).first()
            else { return nil }
            return Replica(
                try row.decode(column: "title", as: String.self), try row.decode(column: "price_cents", as: Int.self),
                try row.decode(column: "version", as: Int.self))
        }
    }

    /// Rows in the orders outbox.
    func outboxCount() async throws -> Int {
        let database = try await harness.invoker.database(for: OrdersService.name)
        return try await database.read { sql in
            try await sql.select().column(SQLFunction("count", args: SQLLiteral.all), as: "n")
                .from(MessagingTables.outbox).first()?.decode(column: "n", as: Int.self) ?? -1
        }
    }
}

/// An order's stored status and version.
struct StoredOrder: Equatable, Sendable {
    var status: String
    var version: Int

    init(_ status: String, _ version: Int) {
        self.status = status
        self.version = version
    }
}

/// A ticket as the orders replica holds it.
struct Replica: Equatable, Sendable {
    var title: String
    var cents: Int
    var version: Int

    init(_ title: String, _ cents: Int, _ version: Int) {
        self.title = title
        self.cents = cents
        self.version = version
    }
}

/// CloudEvents for tests.
enum Events {
    /// `payload` as a CloudEvent of its subject.
    static func make<Payload: EventPayload>(_ payload: Payload, id: String = UUID().uuidString, source: String) throws
        -> CloudEvent
    {
        CloudEvent(
            id: id, source: source, type: Payload.subject.rawValue, time: "2026-01-01T00:00:00.000Z",
            data: try JSONValue(encoding: payload), dataschema: CloudEvent.schemaLocation(for: Payload.subject))
    }
}

struct FixtureError: Error, CustomStringConvertible {
    var description: String

    init(_ description: String) {
        self.description = description
    }
}
