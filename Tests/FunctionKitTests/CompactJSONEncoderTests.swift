import Foundation
import Testing

@testable import FunctionKit

/// The compact encoder writes exactly what Foundation's `JSONEncoder` writes with the same options, and hands
/// back to it what it does not write itself.
@Suite struct CompactJSONEncoderTests {
    struct Ticket: Codable {
        var id: String
        var title: String
        var price: Double
        var version: Int
        var orderId: String?
        var tags: [String]
        var seller: Seller
    }

    struct Seller: Codable {
        var userId: String
        var Verified: Bool
        var _rank: Int64
        var ratings: [String: Int]
        var byYear: [Int: String]
    }

    enum Shape: Codable {
        case circle(radius: Double)
        case square(side: Int, label: String?)
        case nothing
    }

    struct Empty: Codable {}

    /// What Foundation's encoder writes for `value`.
    func foundation(_ value: some Encodable) throws -> String {
        String(decoding: try JSONCoding.encoder.encode(value), as: UTF8.self)
    }

    func compact(_ value: some Encodable) throws -> String {
        let bytes = try #require(CompactJSONEncoder.encode(value), "the compact encoder refused \(value)")
        return String(decoding: bytes, as: UTF8.self)
    }

    @Test(arguments: [
        "", "plain", "quote \" and back\\slash", "a/b/c", "tab\tnew\nline\rret", "\u{8}\u{c}", "\u{1}\u{1f}\u{7f}",
        "é ü 漢字 🎟️", "😀\u{10}x", "{\"json\":[1,2]}",
    ])
    func stringsAreEscapedAsFoundationEscapesThem(_ text: String) throws {
        #expect(try compact(text) == (try foundation(text)))
        #expect(try compact(["key \(text)": text]) == (try foundation(["key \(text)": text])))
    }

    @Test func numbersAreWrittenAsFoundationWritesThem() throws {
        var doubles: [Double] = [
            0, -0.0, 1, -1, 0.1, 0.5, 1.5, 10, 100, 19.99, 1e15, 1e16, 1e17, 1e20, 1e21, 1e22, 1e-5, 1e-7,
            123456789.125,
            .greatestFiniteMagnitude, .leastNonzeroMagnitude, .leastNormalMagnitude, Double(Int64.max), 2.5e-308,
        ]
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<300 {
            doubles.append(Double(bitPattern: generator.next() & 0x7FEF_FFFF_FFFF_FFFF))
            doubles.append(Double.random(in: -1e6...1e6).rounded() / 100)
        }
        for value in doubles {
            #expect(try compact(value) == (try foundation(value)), "\(value)")
            let float = Float(value)
            if float.isFinite { #expect(try compact(float) == (try foundation(float)), "\(float)") }
        }
        let integers: [Int64] = [0, 1, -1, 42, .max, .min, 1_000_000]
        #expect(try compact(integers) == (try foundation(integers)))
        #expect(try compact([UInt64.max, 0]) == (try foundation([UInt64.max, 0])))
        #expect(try compact([Int8.min, Int8.max]) == (try foundation([Int8.min, Int8.max])))
    }

    @Test func nestedValuesKeysAndOptionalsMatch() throws {
        let ticket = Ticket(
            id: "t-1", title: "Concert / \"Live\"", price: 19.99, version: 3, orderId: nil, tags: ["a", "b"],
            seller: Seller(
                userId: "u", Verified: true, _rank: -7, ratings: ["z": 1, "A": 2, "a": 3, "a10": 4, "a9": 5, "é": 6],
                byYear: [2024: "x", 3: "y"]))
        #expect(try compact(ticket) == (try foundation(ticket)))
        var ordered = ticket
        ordered.orderId = "o-1"
        #expect(try compact(ordered) == (try foundation(ordered)))
        #expect(try compact([ticket, ordered]) == (try foundation([ticket, ordered])))
        let shapes: [Shape] = [
            .circle(radius: 2.5), .square(side: 3, label: nil), .square(side: 1, label: "s"), .nothing,
        ]
        #expect(try compact(shapes) == (try foundation(shapes)))
        #expect(try compact(Empty()) == (try foundation(Empty())))
        #expect(try compact([Empty()]) == (try foundation([Empty()])))
        #expect(try compact(true) == (try foundation(true)))
        let optionals: [Int?] = [1, nil, 3]
        #expect(try compact(optionals) == (try foundation(optionals)))
        #expect(try compact([[String]]()) == (try foundation([[String]]())))
        #expect(try compact([String: Int]()) == (try foundation([String: Int]())))
    }

    @Test func whatFoundationTreatsSpeciallyIsLeftToIt() throws {
        #expect(CompactJSONEncoder.encode(["at": Date(timeIntervalSince1970: 1)]) == nil)
        #expect(CompactJSONEncoder.encode([Data([1, 2, 3])]) == nil)
        #expect(CompactJSONEncoder.encode(URL(string: "https://example.com/a")) == nil)
        #expect(CompactJSONEncoder.encode([Decimal(string: "1.10")]) == nil)
        #expect(CompactJSONEncoder.encode([Double.nan]) == nil)
        #expect(CompactJSONEncoder.encode(["nul\u{0}"]) == nil)
        // JSONValue numbers are decimals: the whole value goes to Foundation, and comes out the same.
        let value = try JSONValue(parsing: Data(#"{"b":[1,2.5,"x"],"a":{"n":null,"t":true}}"#.utf8))
        #expect(CompactJSONEncoder.encode(value) == nil)
        #expect(try JSONCoding.string(value) == (try foundation(value)))
        let dated = ["at": Date(timeIntervalSince1970: 1)]
        #expect(try JSONCoding.string(dated) == (try foundation(dated)))
    }
}
