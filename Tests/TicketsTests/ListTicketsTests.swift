import Foundation
import FunctionKit
import FunctionTesting
import Testing

/// SPEC §5 `GET /api/tickets`.
@Suite struct ListTicketsTests {
    private func titles(_ response: TestResponse) -> [String] {
        guard case .array(let items)? = response.json else { return [] }
        return items.compactMap { $0["title"]?.stringValue }
    }

    @Test func listsUnreservedTicketsOldestFirst() async throws {
        try await TicketsFixture.with { fixture in
            _ = try await fixture.create("First")
            let second = try await fixture.create("Second", token: fixture.bob)
            _ = try await fixture.create("Third")
            try await fixture.reserve(second)
            let response = try await fixture.harness.http("tickets-list")
            #expect(response.status == 200)
            #expect(titles(response) == ["First", "Third"])
            #expect(response.response.headers["link"] == nil)
        }
    }

    @Test func searchesTitlesCaseInsensitivelyWithWildcardsTakenLiterally() async throws {
        try await TicketsFixture.with { fixture in
            for title in ["Rock Concert", "ROCKY horror", "100% Jazz", "1000 Jazz", "a_b", "axb", "Crème brûlée"] {
                _ = try await fixture.create(title)
            }
            #expect(
                titles(try await fixture.harness.http("tickets-list", query: ["title": "rock"])) == [
                    "Rock Concert", "ROCKY horror",
                ])
            #expect(titles(try await fixture.harness.http("tickets-list", query: ["title": "0%"])) == ["100% Jazz"])
            #expect(titles(try await fixture.harness.http("tickets-list", query: ["title": "a_b"])) == ["a_b"])
            #expect(
                titles(try await fixture.harness.http("tickets-list", query: ["title": "CRÈME"])) == ["Crème brûlée"])
        }
    }

    @Test func filtersBySeller() async throws {
        try await TicketsFixture.with { fixture in
            _ = try await fixture.create("A")
            _ = try await fixture.create("B", token: fixture.bob)
            #expect(titles(try await fixture.harness.http("tickets-list", query: ["userId": "bob-id"])) == ["B"])
        }
    }

    @Test func pagesWithACursorInTheLinkHeader() async throws {
        try await TicketsFixture.with { fixture in
            for index in 1...5 { _ = try await fixture.create("T\(index)") }
            var seen: [String] = []
            var query = ["limit": "2", "title": "t"]
            for _ in 0..<5 {
                let page = try await fixture.harness.http("tickets-list", query: query)
                #expect(page.status == 200)
                seen += titles(page)
                guard let link = page.response.headers["link"] else { break }
                #expect(link.hasSuffix(#">; rel="next""#))
                let url = try #require(URLComponents(string: String(link.dropFirst().prefix { $0 != ">" })))
                #expect(url.path == "/api/tickets")
                query = Dictionary(uniqueKeysWithValues: (url.queryItems ?? []).map { ($0.name, $0.value ?? "") })
                #expect(query["title"] == "t" && query["limit"] == "2")
            }
            #expect(seen == ["T1", "T2", "T3", "T4", "T5"])
        }
    }

    @Test func limitDefaultsTo100AndIsCappedAt500() async throws {
        try await TicketsFixture.with { fixture in
            for index in 1...501 { _ = try await fixture.create("T\(index)") }
            let page = try await fixture.harness.http("tickets-list")
            #expect(titles(page).count == 100)
            #expect(page.response.headers["link"] != nil)
            let capped = try await fixture.harness.http("tickets-list", query: ["limit": "100000"])
            #expect(titles(capped).count == 500)
            #expect(capped.response.headers["link"]?.contains("limit=500") == true)
            // A positive integer too large for any machine integer is still one: capped, not refused.
            let huge = try await fixture.harness.http("tickets-list", query: ["limit": "99999999999999999999999"])
            #expect(titles(huge).count == 500)
            #expect(titles(try await fixture.harness.http("tickets-list", query: ["limit": "007"])).count == 7)
        }
    }

    @Test(arguments: ["0", "-1", "abc", "1.5", "", "+5", " 5", "5 ", "000", "٣"])
    func limitMustBeAPositiveInteger(limit: String) async throws {
        try await TicketsFixture.with { fixture in
            let response = try await fixture.harness.http("tickets-list", query: ["limit": limit])
            #expect(response.status == 400)
            #expect(response.errorFields == ["limit"])
        }
    }

    @Test(arguments: ["!!not-a-cursor", "", "t", "t-1", "t+1", "t01", "T1", "t1 ", "t1234567890123456789", "dDox"])
    func aBrokenCursorIsA400(cursor: String) async throws {
        try await TicketsFixture.with { fixture in
            let response = try await fixture.harness.http("tickets-list", query: ["cursor": cursor])
            #expect(response.status == 400 && response.errorFields == ["cursor"])
        }
    }

    /// The query schema gives the cursor's exact form, so any cursor of that form is a position to start
    /// after, whether or not a page gave it.
    @Test func aWellFormedCursorIsAPositionToStartAfter() async throws {
        try await TicketsFixture.with { fixture in
            for index in 1...3 { _ = try await fixture.create("T\(index)") }
            #expect(titles(try await fixture.harness.http("tickets-list", query: ["cursor": "t0"])).count == 3)
            #expect(
                titles(try await fixture.harness.http("tickets-list", query: ["cursor": "t999999999999999999"])) == [])
            let first = try await fixture.harness.http("tickets-list", query: ["limit": "1"])
            let link = try #require(first.response.headers["link"])
            #expect(link.contains("cursor=t"), "\(link)")
        }
    }
}
