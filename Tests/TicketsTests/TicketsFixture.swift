import FunctionKit
import FunctionTesting
import SQLKit
import Tickets

/// A tickets harness with two signed-in sellers.
struct TicketsFixture {
    let harness: TestHarness
    let alice: String
    let bob: String

    static func with(_ body: (TicketsFixture) async throws -> Void) async throws {
        try await TestHarness.with(services: [TicketsService.definition()]) { harness in
            try await body(
                TicketsFixture(
                    harness: harness,
                    alice: try await harness.token(userID: "alice-id", email: "alice@example.com"),
                    bob: try await harness.token(userID: "bob-id", email: "bob@example.com")))
        }
    }

    /// Creates a ticket as `token` and returns its id.
    func create(_ title: String, price: String = "10", token: String? = nil) async throws -> String {
        let response = try await harness.http(
            "tickets-create", body: #"{"title":"\#(title)","price":\#(price)}"#, token: token ?? alice)
        guard response.status == 201, let id = response.string("id") else {
            throw FixtureError(description: "create failed: \(response.status) \(response.response.body)")
        }
        return id
    }

    /// Marks a ticket reserved by an order, as the reserve handler will.
    func reserve(_ ticketID: String, orderID: String = "order-1") async throws {
        let database = try await harness.invoker.database(for: TicketsService.name)
        try await database.transaction { sql in
            try await sql.update("tickets").set("order_id", to: orderID).set(
                SQLRaw("version"), to: SQLRaw("version + 1")
            )
            .where("id", .equal, ticketID).run()
        }
    }

    /// Rows in the tickets outbox.
    func outboxCount() async throws -> Int {
        let database = try await harness.invoker.database(for: TicketsService.name)
        return try await database.read { sql in
            try await sql.select().column(SQLFunction("count", args: SQLLiteral.all), as: "n").from(
                MessagingTables.outbox
            )
            .first()?.decode(column: "n", as: Int.self) ?? -1
        }
    }
}

struct FixtureError: Error, CustomStringConvertible {
    var description: String
}
