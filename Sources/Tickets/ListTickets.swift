import Foundation
import FunctionKit
import SQLKit

/// `tickets-list`: `GET /api/tickets` answers unreserved tickets, oldest first, a page at a time.
///
/// Query: `title` (case-insensitive substring, `%` and `_` literal), `userId`, `limit` (default 100,
/// capped at 500) and `cursor` (from the `Link: <…>; rel="next"` header of the previous page).
public struct ListTickets: HTTPFunction {
    static let defaultLimit = 100
    static let maximumLimit = 500

    /// Creates the function.
    public init() {}

    struct Query: Sendable {
        var title: String?
        var userID: String?
        var limit: Int
        var after: Int64

        init(_ parameters: [String: String]) throws {
            var problems: [ErrorDetail] = []
            title = parameters["title"].flatMap { $0.isEmpty ? nil : $0 }
            userID = parameters["userId"].flatMap { $0.isEmpty ? nil : $0 }
            limit = ListTickets.defaultLimit
            if let raw = parameters["limit"] {
                if let value = Self.positiveInteger(raw) {
                    limit = min(value, ListTickets.maximumLimit)
                } else {
                    problems.append(ErrorDetail(message: "Limit must be a positive integer", field: "limit"))
                }
            }
            after = 0
            if let raw = parameters["cursor"] {
                if let value = PageCursor.decode(raw) {
                    after = value
                } else {
                    problems.append(ErrorDetail(message: "Cursor is not valid", field: "cursor"))
                }
            }
            if !problems.isEmpty { throw FunctionError.validation(problems) }
        }

        /// `text` as a positive integer: decimal digits only (no sign, no spaces), not all zeros. A value
        /// too large for `Int` is still a positive integer, and ends up capped like any other above 500.
        static func positiveInteger(_ text: String) -> Int? {
            guard !text.isEmpty, text.utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }),
                text.utf8.contains(where: { $0 != UInt8(ascii: "0") })
            else { return nil }
            return Int(text) ?? Int.max
        }
    }

    public func handle(_ request: HTTPRequest, context: FunctionContext) async throws -> HTTPResponse {
        let query = try Query(request.queryStringParameters)
        let rows = try await context.read { sql in
            var select = sql.select().columns(TicketRecord.columns.map { SQLColumn($0) }).from(TicketRecord.table)
                .where("order_id", .is, SQLLiteral.null)
                .where("seq", .greaterThan, query.after)
            if let userID = query.userID {
                select = select.where("user_id", .equal, userID)
            }
            if let title = query.title {
                let pattern = LikePattern.containing(title.lowercased())
                select = select.where(SQLQueryString("title_search LIKE \(bind: pattern) ESCAPE '\\'"))
            }
            return try await select.orderBy("seq").limit(query.limit + 1).all().map(TicketRecord.init(row:))
        }
        let page = Array(rows.prefix(query.limit))
        var headers: [String: String] = [:]
        if rows.count > query.limit, let last = page.last {
            headers["link"] = "<\(nextPage(request, query: query, after: last.seq))>; rel=\"next\""
        }
        return try .json(200, page.map(\.body), headers: headers)
    }

    private func nextPage(_ request: HTTPRequest, query: Query, after: Int64) -> String {
        var items: [(name: String, value: String)] = []
        if let title = query.title { items.append(("title", title)) }
        if let userID = query.userID { items.append(("userId", userID)) }
        items.append(("limit", String(query.limit)))
        items.append(("cursor", PageCursor.encode(after)))
        return request.rawPath + "?" + QueryString.encode(items)
    }
}

/// The opaque `cursor` of ticket pages: the position of the last ticket seen, as `t<position>`. The
/// query schema (`tickets-list.query.json`) gives its exact form, so a client and the OpenAPI document know
/// which cursors are well formed; one of that form that no page gave is simply a position, and answers the
/// tickets after it.
enum PageCursor {
    /// The most digits a position has (any 18 digits fit an `Int64`).
    static let maximumDigits = 18

    static func encode(_ position: Int64) -> String {
        "t\(position)"
    }

    static func decode(_ cursor: String) -> Int64? {
        let digits = cursor.utf8.dropFirst()
        guard cursor.utf8.first == UInt8(ascii: "t"), (1...maximumDigits).contains(digits.count),
            digits.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }),
            digits.first != UInt8(ascii: "0") || digits.count == 1
        else { return nil }
        return Int64(cursor.dropFirst())
    }
}

/// A `LIKE` pattern that matches a substring literally: `%`, `_` and `\` are escaped with `\`.
enum LikePattern {
    static func containing(_ text: String) -> String {
        var escaped = ""
        for character in text {
            if character == "%" || character == "_" || character == "\\" { escaped.append("\\") }
            escaped.append(character)
        }
        return "%\(escaped)%"
    }
}
