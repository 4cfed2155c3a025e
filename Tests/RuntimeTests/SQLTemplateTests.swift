import FunctionKit
import FunctionTesting
import SQLKit
import Testing
import Tickets

@testable import Runtime

/// `SQLTemplate`: its text made once per dialect, its values bound in order, on the harness's engine
/// (SQLite, or PostgreSQL in the suite's PostgreSQL pass).
@Suite struct SQLTemplateTests {
    static let pair = SQLTemplate("SELECT ? AS number, ? AS text")

    @Test func valuesAreBoundInOrderEveryTime() async throws {
        try await TestHarness.with(services: [TicketsService.definition()]) { harness in
            let database = try await harness.invoker.database(for: TicketsService.name)
            for (number, text) in [(1, "one"), (2, "two")] {  // the second run takes the cached text
                let row = try await database.read { sql in try await Self.pair.query(number, text, on: sql).first() }
                #expect(try row?.decode(column: "number", as: Int.self) == number)
                #expect(try row?.decode(column: "text", as: String.self) == text)
            }
        }
    }

    @Test func insideAnotherStatementItsValuesAreNumberedAfterThoseBefore() async throws {
        try await TestHarness.with(services: [TicketsService.definition()]) { harness in
            let database = try await harness.invoker.database(for: TicketsService.name)
            let row = try await database.read { sql in
                let inner = Self.pair.query(3, "three", on: sql).query
                return try await sql.raw("SELECT \(bind: "first") AS first, t.* FROM (\(inner)) AS t").first()
            }
            #expect(try row?.decode(column: "first", as: String.self) == "first")
            #expect(try row?.decode(column: "number", as: Int.self) == 3)
            #expect(try row?.decode(column: "text", as: String.self) == "three")
        }
    }
}
