import Foundation
import Testing

@testable import FunctionKit

/// `JSONValue(parsing:)` and the request body's out-of-range numbers.
@Suite struct JSONParsingTests {
    /// Texts that are JSON, and what they hold.
    @Test(arguments: [
        (#"{"a":[1,-2.5,1e2,0,true,false,null],"b":"x\"\\\/\b\f\n\r\tz"}"#, true),
        (#" [ ] "#, true), (#"{}"#, true), (#""\u00e9\ud83c\udf9f""#, true), (#"19.99"#, true),
        (#"-0"#, true), (#"1E+2"#, true), (#"{"a":1,"a":2}"#, true), ("\"caf\u{e9} \u{1F39F}\"", true),
        (#"{"a":1,}"#, false), (#"[1,]"#, false), (#"01"#, false), (#"1."#, false), (#".5"#, false),
        (#"+1"#, false), (#"1e"#, false), (#"--1"#, false), (#"NaN"#, false), (#"tru"#, false),
        (#"{"a" 1}"#, false), (#"{a:1}"#, false), (#"[1 2]"#, false), (#""\x""#, false), (#""\u12""#, false),
        ("\"a\u{01}b\"", false), (#""\ud83c""#, false), (#""\udf9f""#, false), (#"{"a":1} x"#, false),
        (#""#, false), (#"["#, false), (#""abc"#, false),
    ])
    func agreesWithFoundationOnWhatIsJSON(text: String, isJSON: Bool) throws {
        let data = Data(text.utf8)
        let parsed = try? JSONValue(parsing: data)
        #expect((parsed != nil) == isJSON, "\(text)")
        if let parsed, isJSON {
            let foundation = try JSONSerialization.jsonObject(with: data, options: .fragmentsAllowed)
            let reference = try JSONSerialization.data(
                withJSONObject: foundation, options: [.fragmentsAllowed, .sortedKeys])
            #expect(try JSONValue(parsing: reference) == parsed, "\(text)")
        }
    }

    @Test func invalidUTF8AndDeepNestingAreRefusedNotCrashedOn() {
        #expect(throws: (any Error).self) { try JSONValue(parsing: Data([0x22, 0xFF, 0xFE, 0x22])) }
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(throws: (any Error).self) { try JSONValue(parsing: Data(deep.utf8)) }
        let fine = String(repeating: "[", count: 500) + String(repeating: "]", count: 500)
        #expect((try? JSONValue(parsing: Data(fine.utf8))) != nil)
    }

    @Test func numbersAreExactDecimals() throws {
        let value = try JSONValue(parsing: Data(#"[19.99, 0.29, 123456789.12, 1e127, -1e-128]"#.utf8))
        #expect(
            value.arrayValue?.compactMap(\.numberValue)
                == ["19.99", "0.29", "123456789.12", "1e127", "-1e-128"].compactMap { Decimal(string: $0) })
    }

    @Test(arguments: ["1e400", "-1e400", "5e-324", "1e128"])
    func aNumberOutOfRangeIsNamedNotCalledInvalidJSON(number: String) throws {
        let text = #"{"title":"x","nested":{"list":[1,\#(number)]}}"#
        #expect {
            try JSONValue(parsing: Data(text.utf8))
        } throws: { error in
            (error as? JSONValue.NumberOutOfRange)?.pointer == "/nested/list/1"
        }
        let request = HTTPRequest(method: "POST", path: "/", body: #"{"title":"x","price":\#(number)}"#)
        var body = try request.jsonObject()
        #expect(body.outOfRange == ["price"])
        #expect(body.string("title", "Title is required") == "x")
        #expect(body.number("price", "Price must be greater than 0") == nil)
        #expect {
            try body.check()
        } throws: { error in
            guard case .validation(let problems)? = error as? FunctionError else { return false }
            return problems == [ErrorDetail(message: "Price must be greater than 0", field: "price")]
        }
    }

    @Test func brokenJSONIsStillABadRequest() throws {
        let request = HTTPRequest(method: "POST", path: "/", body: #"{"price":1e400"#)
        #expect {
            try request.jsonObject()
        } throws: { error in
            (error as? FunctionError)?.response.body == #"{"errors":[{"message":"Request body is not valid JSON"}]}"#
        }
    }
}

/// `QueryString`: form-encoded queries as browsers send them.
@Suite struct QueryStringTests {
    @Test(arguments: [
        ("title=Eras+Tour", ["title": "Eras Tour"]), ("title=Eras%20Tour", ["title": "Eras Tour"]),
        ("a=1%2B1&b=x%26y%3Dz", ["a": "1+1", "b": "x&y=z"]), ("a=1&a=2", ["a": "1,2"]),
        ("flag&empty=", ["flag": "", "empty": ""]), ("bad=%zz%4", ["bad": "%zz%4"]),
        ("caf%C3%A9=%E2%9C%93", ["café": "✓"]), ("&&x=1&", ["x": "1"]), ("", [:]),
    ])
    func decodesLikeAFormDoes(text: String, parameters: [String: String]) {
        #expect(QueryString.parameters(text) == parameters)
    }

    @Test func encodesSoThatDecodingGivesItBack() {
        let pairs: [(name: String, value: String)] = [("title", "Eras Tour + 100% & more=yes"), ("café", "✓/?#")]
        let text = QueryString.encode(pairs)
        #expect(text == "title=Eras%20Tour%20%2B%20100%25%20%26%20more%3Dyes&caf%C3%A9=%E2%9C%93%2F%3F%23")
        #expect(QueryString.pairs(text).map { "\($0.name)=\($0.value)" } == pairs.map { "\($0.name)=\($0.value)" })
    }
}
