import SQLKit
import Synchronization

/// A statement's text with `?` where its values go, turned into each dialect's text once: running it appends
/// that text and the values, where SQLKit's string interpolation serializes every piece of the statement
/// again on every run (a quarter of the work of a small insert). For the statements every request or
/// delivery runs; the text must hold no other `?`.
public final class SQLTemplate: Sendable {
    /// The text between the values: one more piece than there are values.
    private let pieces: [String]
    /// The text for each dialect seen, by the dialect's name (one or two per process).
    private let texts = Mutex<[(dialect: String, text: String)]>([])

    /// Creates a template from `text`, each `?` standing for one value.
    public init(_ text: String) {
        pieces = text.split(separator: "?", omittingEmptySubsequences: false).map(String.init)
    }

    /// How many values the statement takes.
    public var valueCount: Int { pieces.count - 1 }

    /// The statement with `values` in place of its `?`s, in order, as a query on `database` (run it with
    /// `run()`, `first()` or `all()`).
    public func query(_ values: any Encodable & Sendable..., on database: any SQLDatabase) -> SQLTemplateQuery {
        assert(values.count == valueCount, "SQLTemplate: \(valueCount) values expected, \(values.count) given")
        return SQLTemplateQuery(Bound(template: self, values: values), on: database)
    }

    /// The text for `serializer`'s dialect, with values numbered from `first`.
    fileprivate func text(for serializer: SQLSerializer, first: Int) -> String {
        let dialect = serializer.dialect.name
        if first == 0, let cached = texts.withLock({ $0.first { $0.dialect == dialect }?.text }) { return cached }
        var writer = SQLSerializer(database: serializer.database)
        for (index, piece) in pieces.enumerated() {
            writer.write(piece)
            if index < valueCount { serializer.dialect.bindPlaceholder(at: first + index + 1).serialize(to: &writer) }
        }
        if first == 0 { texts.withLock { $0.append((dialect, writer.sql)) } }
        return writer.sql
    }

    /// The template with its values: one append of text, then the values as binds.
    fileprivate struct Bound: SQLExpression {
        let template: SQLTemplate
        let values: [any Encodable & Sendable]

        func serialize(to serializer: inout SQLSerializer) {
            serializer.write(template.text(for: serializer, first: serializer.binds.count))
            serializer.binds.append(contentsOf: values)
        }
    }
}

/// An ``SQLTemplate`` with its values, on a database: SQLKit's `run()`, `first()` and `all()` fetch it.
public final class SQLTemplateQuery: SQLQueryFetcher {
    /// The statement.
    public let query: any SQLExpression
    /// Where it runs.
    public let database: any SQLDatabase

    init(_ query: any SQLExpression, on database: any SQLDatabase) {
        self.query = query
        self.database = database
    }
}
