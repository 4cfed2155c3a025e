import Foundation
import FunctionKit

/// The fields of a posted HTML form (`application/x-www-form-urlencoded`).
struct Form: Sendable {
    /// Each field's first value.
    let fields: [String: String]

    /// The form in `request`'s body; empty when there is none or it is not a form.
    init(_ request: HTTPRequest) {
        guard let raw = request.body else {
            fields = [:]
            return
        }
        let text =
            request.isBase64Encoded
            ? Data(base64Encoded: raw).map { String(decoding: $0, as: UTF8.self) } ?? "" : raw
        var fields: [String: String] = [:]
        for (name, value) in QueryString.pairs(text) where fields[name] == nil { fields[name] = value }
        self.fields = fields
    }

    subscript(name: String) -> String? { fields[name] }

    /// The field trimmed, or "" when absent.
    func text(_ name: String) -> String {
        (fields[name] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
