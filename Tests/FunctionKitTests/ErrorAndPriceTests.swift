import Contracts
import Foundation
import FunctionKit
import Testing

@Suite struct ErrorAndPriceTests {
    @Test func errorsMapToTheDocumentedStatusAndShape() throws {
        let cases: [(FunctionError, Int, String)] = [
            (
                .validation([ErrorDetail(message: "Title is required", field: "title")]), 400,
                #"{"errors":[{"field":"title","message":"Title is required"}]}"#
            ),
            (.badRequest("Email in use"), 400, #"{"errors":[{"message":"Email in use"}]}"#),
            (.notAuthorized, 401, #"{"errors":[{"message":"Not authorized"}]}"#),
            (
                .paymentRequired(message: "Your card was declined.", code: "generic_decline"), 402,
                #"{"errors":[{"code":"generic_decline","message":"Your card was declined."}]}"#
            ),
            (
                .forbidden("Cannot order your own ticket"), 403,
                #"{"errors":[{"message":"Cannot order your own ticket"}]}"#
            ),
            (.notFound, 404, #"{"errors":[{"message":"Not Found"}]}"#),
            (.payloadTooLarge, 413, #"{"errors":[{"message":"Request body too large"}]}"#),
        ]
        for (error, status, body) in cases {
            #expect(error.response.statusCode == status)
            #expect(error.response.body == body)
            #expect(error.response.headers["content-type"] == "application/json; charset=utf-8")
        }
    }

    @Test(arguments: [
        ("19.99", 1999), ("0.29", 29), ("0.1", 10), ("1e2", 10000), ("1000000", 100_000_000), ("10.50", 1050),
    ])
    func pricesAreExact(text: String, cents: Int) throws {
        let value = try #require(Decimal(string: text))
        #expect(Price(exactly: value)?.cents == cents)
        let decoded = try JSONDecoder().decode(Price.self, from: Data(text.utf8))
        #expect(decoded.cents == cents)
        #expect(try JSONCoding.string(decoded) == "\(Decimal(cents) / 100)")
    }

    @Test(arguments: ["19.999", "0.001", "1e-3"])
    func pricesWithMoreThanTwoDecimalsAreRefused(text: String) throws {
        #expect(Price(exactly: try #require(Decimal(string: text))) == nil)
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(Price.self, from: Data(text.utf8)) }
    }

    /// Prices are written from a `Double` below 15 digits: the text must be what the exact `Decimal` gives, for
    /// every number of cents (whole, one decimal, two), at the boundaries and for a sweep of others.
    @Test func pricesAreWrittenAsTheirExactDecimal() throws {
        var amounts = Array(-2_000...2_000) + [99_999_999, 100_000_000, 100_000_001, 123_456_789]
        amounts += [999_999_999_999_999, 1_000_000_000_000_000, -999_999_999_999_999, Int.max / 1000]
        var generator = SystemRandomNumberGenerator()
        amounts += (0..<20_000).map { _ in Int.random(in: 0...1_000_000_000_000_000, using: &generator) }
        let encoder = JSONEncoder()
        for cents in amounts {
            let written = try encoder.encode([Price(cents: cents)])
            let exact = try encoder.encode([Decimal(cents) / 100])
            #expect(written == exact, "\(cents) cents")
        }
    }

    @Test func requestBodiesCollectOneErrorPerField() throws {
        let request = HTTPRequest(method: "POST", path: "/", body: #"{"a":" x ","b":"1"}"#)
        var body = try request.jsonObject()
        #expect(body.string("a", "A") == "x")
        #expect(body.number("b", "B must be a number") == nil)
        #expect(body.string("c", "C is required") == nil)
        #expect(
            throws: FunctionError.validation([
                ErrorDetail(message: "B must be a number", field: "b"),
                ErrorDetail(message: "C is required", field: "c"),
            ])
        ) {
            try body.check()
        }
    }

    @Test func brokenBase64BodiesAreA400() {
        let request = HTTPRequest(method: "POST", path: "/", body: "%%%", isBase64Encoded: true)
        #expect(throws: FunctionError.badRequest("Request body is not valid JSON")) { try request.jsonObject() }
    }
}
