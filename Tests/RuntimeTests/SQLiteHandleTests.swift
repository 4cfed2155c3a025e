import Foundation
import SQLiteNIO
import Testing

@testable import Runtime

/// The SQLite connection's own settings.
@Suite struct SQLiteHandleTests {
    /// A statement comparing a bound value with an indexed column, as the dispatcher's dead-letter and outbox
    /// reads do, runs again with new values without being prepared again.
    @Test func aStatementIsNotPreparedAgainWhenItsValuesChange() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("handle-\(UUID().uuidString).db").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let handle = try SQLiteHandle(path: path, readOnly: false)
        defer { handle.close() }
        #expect(handle.plansIgnoreBoundValues)
        try handle.run("CREATE TABLE letters (id INTEGER PRIMARY KEY, state TEXT NOT NULL, due INTEGER NOT NULL)")
        try handle.run("CREATE INDEX letters_state ON letters (state, due)")
        try handle.run("INSERT INTO letters (state, due) VALUES ('dead', 1), ('redrive', 2), ('redrive', 3)")
        let query = "SELECT * FROM letters WHERE state = ?1 ORDER BY id"
        var counts: [Int] = []
        for state in ["redrive", "dead", "redrive"] {
            var rows = 0
            try handle.run(query, binds: [.text(state)]) { _ in rows += 1 }
            counts.append(rows)
        }
        #expect(counts == [2, 1, 2])
        #expect(handle.reprepares(of: query) == 0)
    }

    enum Colour: String, Decodable { case red }

    /// A row's columns read as the types handlers ask for: the direct ones and those through SQLiteKit's decoder.
    @Test func columnsDecodeAsTheTypesAskedFor() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("row-\(UUID().uuidString).db").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let handle = try SQLiteHandle(path: path, readOnly: false)
        defer { handle.close() }
        let query = "SELECT 'red' AS text, 42 AS number, NULL AS absent, 2.5 AS real"
        try handle.run(query) { (row: SQLiteResultRow) throws in
            #expect(try row.decode(column: "text", as: String.self) == "red")
            #expect(try row.decode(column: "text", as: String?.self) == "red")
            #expect(try row.decode(column: "text", as: Colour.self) == .red)
            #expect(try row.decode(column: "number", as: Int.self) == 42)
            #expect(try row.decode(column: "number", as: Int64.self) == 42)
            #expect(try row.decode(column: "number", as: Int?.self) == 42)
            #expect(try row.decode(column: "number", as: Int32.self) == 42)
            #expect(try row.decode(column: "absent", as: String?.self) == nil)
            #expect(try row.decode(column: "absent", as: Int64?.self) == nil)
            #expect(try row.decode(column: "real", as: Double.self) == 2.5)
            #expect(throws: (any Error).self) { try row.decode(column: "text", as: Int.self) }
            #expect(throws: (any Error).self) { try row.decode(column: "absent", as: String.self) }
        }
    }
}
