import Foundation
import Testing

@testable import FunctionKit

/// `JSONValue.decode(as:)` reads a value into a `Decodable` type exactly as decoding Foundation's encoding of
/// it does.
@Suite struct JSONValueDecodeTests {
    struct Listing: Decodable, Equatable {
        var id: String
        var price: Decimal
        var ratio: Double
        var count: Int
        var tags: [String]
        var seller: Seller?
        var sold: Bool

        struct Seller: Decodable, Equatable {
            var name: String
        }
    }

    static let texts = [
        #"{"id":"t1","price":149.99,"ratio":-0.5,"count":3,"tags":["a","\"q\"","\\","\n\t","caf\u00e9 🎟"],"seller":{"name":"Ann"},"sold":false}"#,
        #"{"id":"","price":1e2,"ratio":1e-7,"count":-42,"tags":[],"seller":null,"sold":true}"#,
        #"{"id":"x","price":0,"ratio":123456789.125,"count":0,"tags":["/"],"sold":true,"extra":[1,{"k":null}]}"#,
    ]

    @Test(arguments: texts)
    func decodingAValueGivesWhatDecodingFoundationsTextGives(text: String) throws {
        let value = try JSONValue(parsing: Data(text.utf8))
        let reference = try JSONDecoder().decode(Listing.self, from: JSONCoding.encoder.encode(value))
        #expect(try value.decode(as: Listing.self) == reference)
        #expect(try value.decode(as: JSONValue.self) == value)
    }

    @Test func aTypeMismatchIsStillADecodingError() throws {
        let value = try JSONValue(parsing: Data(#"{"id":1}"#.utf8))
        #expect(throws: DecodingError.self) { try value.decode(as: Listing.self) }
    }
}
