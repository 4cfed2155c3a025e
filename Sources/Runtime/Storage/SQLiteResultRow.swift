import Foundation
import NIOCore
import SQLKit
import SQLiteKit
import SQLiteNIO
import VaporCSQLite

/// One row a statement returned, copied out of SQLite, read through SQLKit's `SQLRow` with SQLiteKit's
/// decoder (so values decode exactly as they did through SQLiteKit).
struct SQLiteResultRow: SQLRow {
    /// A statement's column names and where each is, shared by every row of one result.
    final class Columns: Sendable {
        let names: [String]
        let positions: [String: Int]

        init(statement: OpaquePointer) {
            let count = Int(sqlite_nio_sqlite3_column_count(statement))
            var names: [String] = []
            var positions: [String: Int] = [:]
            for index in 0..<count {
                let name = sqlite_nio_sqlite3_column_name(statement, Int32(index)).map { String(cString: $0) } ?? ""
                names.append(name)
                if positions[name] == nil { positions[name] = index }
            }
            self.names = names
            self.positions = positions
        }

        /// Where `column` is (its first occurrence). Rows have a handful of columns, whose names are short
        /// enough to compare as two words each: a scan beats hashing the name, up to a dozen or so columns.
        func position(of column: String) -> Int? {
            names.count <= 16 ? names.firstIndex(of: column) : positions[column]
        }

        /// Whether `statement`'s result has exactly these columns, compared in place (no strings made).
        func describe(_ statement: OpaquePointer) -> Bool {
            guard Int(sqlite_nio_sqlite3_column_count(statement)) == names.count else { return false }
            for (index, name) in names.enumerated() {
                guard let current = sqlite_nio_sqlite3_column_name(statement, Int32(index)),
                    name.withCString({ strcmp(current, $0) }) == 0
                else { return false }
            }
            return true
        }
    }

    private let columns: Columns
    private let values: [SQLiteData]

    /// The row `statement` is on.
    init(columns: Columns, statement: OpaquePointer) {
        self.columns = columns
        values = (0..<columns.names.count).map { Self.value(at: Int32($0), of: statement) }
    }

    var allColumns: [String] { columns.names }

    func contains(column: String) -> Bool { columns.position(of: column) != nil }

    func decodeNil(column: String) throws -> Bool {
        guard let index = columns.position(of: column) else { return true }
        return values[index] == .null
    }

    func decode<D: Decodable>(column: String, as type: D.Type) throws -> D {
        guard let index = columns.position(of: column) else {
            throw DecodingError.keyNotFound(
                SQLiteColumnKey(column), .init(codingPath: [], debugDescription: "no column '\(column)' in the row"))
        }
        // Text and integers read as String, Int and Int64 directly, and NULL as any optional (what the decoder
        // would give, without its machinery); anything else goes through SQLiteKit's decoder. The types columns
        // are read as nearly always are compared first: a cast to `D` costs a run-time lookup of `D?`.
        switch values[index] {
        case .text(let text):
            if D.self == String.self { return unsafeBitCast(text, to: D.self) }
            if D.self == String?.self { return unsafeBitCast(Optional(text), to: D.self) }
            if let text = text as? D { return text }
        case .integer(let integer):
            if D.self == Int.self { return unsafeBitCast(Int(integer), to: D.self) }
            if D.self == Int64.self { return unsafeBitCast(Int64(integer), to: D.self) }
            if let integer = integer as? D { return integer }
            if let integer = Int64(integer) as? D { return integer }
        case .null:
            // `nil` of one optional type casts to `nil` of any other, and to no non-optional type.
            if let none = (nil as String?) as? D { return none }
        default:
            break
        }
        return try SQLiteDataDecoder().decode(D.self, from: values[index])
    }

    private static func value(at index: Int32, of statement: OpaquePointer) -> SQLiteData {
        switch sqlite_nio_sqlite3_column_type(statement, index) {
        case SQLITE_INTEGER:
            return .integer(SQLiteInt64(sqlite_nio_sqlite3_column_int64(statement, index)))
        case SQLITE_FLOAT:
            return .float(sqlite_nio_sqlite3_column_double(statement, index))
        case SQLITE_TEXT:
            guard let text = sqlite_nio_sqlite3_column_text(statement, index) else { return .null }
            let count = Int(sqlite_nio_sqlite3_column_bytes(statement, index))
            return .text(String(decoding: UnsafeBufferPointer(start: text, count: count), as: UTF8.self))
        case SQLITE_BLOB:
            let count = Int(sqlite_nio_sqlite3_column_bytes(statement, index))
            var buffer = ByteBufferAllocator().buffer(capacity: count)
            if let bytes = sqlite_nio_sqlite3_column_blob(statement, index) {
                buffer.writeBytes(UnsafeRawBufferPointer(start: bytes, count: count))
            }
            return .blob(buffer)
        default:
            return .null
        }
    }
}

/// A column name as a coding key, for the error of a column that is not there.
struct SQLiteColumnKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }

    init(_ name: String) { stringValue = name }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}
