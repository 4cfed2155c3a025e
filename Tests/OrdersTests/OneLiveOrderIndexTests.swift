import FunctionKit
import FunctionTesting
import Orders
import SQLKit
import Testing

/// The database itself refuses a second live order for a ticket (SPEC §7), whatever code writes it.
@Suite struct OneLiveOrderIndexTests {
    private func insert(_ id: String, status: String, into database: any ServiceDatabase) async throws {
        try await database.transaction { sql in
            try await sql.insert(into: "orders")
                .columns("id", "user_id", "ticket_id", "status", "expires_at", "version", "created_at")
                .values(
                    SQLBind(id), SQLBind("bob-id"), SQLBind("ticket-1"), SQLBind(status), SQLBind(0), SQLBind(0),
                    SQLBind(0)
                )
                .run()
        }
    }

    @Test func aSecondLiveOrderForATicketIsRefusedByTheIndex() async throws {
        try await OrdersFixture.with { fixture in
            let database = try await fixture.harness.invoker.database(for: OrdersService.name)
            try await insert("o1", status: "cancelled", into: database)
            try await insert("o2", status: "cancelled", into: database)
            try await insert("o3", status: "created", into: database)
            for status in ["created", "awaiting:payment", "complete"] {
                await #expect(throws: (any Error).self, "\(status)") {
                    try await insert("o-\(status)", status: status, into: database)
                }
            }
            // Cancelling the live one frees the ticket for the next.
            try await database.transaction { sql in
                try await sql.update("orders").set("status", to: "cancelled").where("id", .equal, "o3").run()
            }
            try await insert("o4", status: "complete", into: database)
        }
    }
}
