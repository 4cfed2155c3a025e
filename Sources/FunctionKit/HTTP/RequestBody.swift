import Foundation

/// A request's JSON object body, with accessors that collect one field error per bad field.
public struct RequestBody: Sendable {
    /// The object's members.
    public let members: [String: JSONValue]
    /// Members whose value held a number outside the range of exact decimals (`1e400`, `5e-324`): valid
    /// JSON, but no valid field value, so each accessor reports them as its own field error.
    public let outOfRange: Set<String>
    private var problems: [ErrorDetail] = []

    /// Creates a body from its members.
    public init(members: [String: JSONValue], outOfRange: Set<String> = []) {
        self.members = members
        self.outOfRange = outOfRange
    }

    /// Records a field error.
    public mutating func reject(_ field: String, _ message: String) {
        problems.append(ErrorDetail(message: message, field: field))
    }

    /// The trimmed string at `field`, or `nil` (and a field error with `message`) when it is missing, not
    /// a string, or fails `isValid`.
    public mutating func string(_ field: String, _ message: String, isValid: (String) -> Bool = { !$0.isEmpty })
        -> String?
    {
        guard case .string(let raw)? = members[field] else {
            reject(field, message)
            return nil
        }
        let value = raw.trimmingWhitespaceAndNewlines()
        guard isValid(value) else {
            reject(field, message)
            return nil
        }
        return value
    }

    /// The number at `field`, or `nil` (and a field error with `message`) when it is missing or not a
    /// number.
    public mutating func number(_ field: String, _ message: String) -> Decimal? {
        guard case .number(let value)? = members[field] else {
            reject(field, message)
            return nil
        }
        return value
    }

    /// Throws the collected field errors, if any.
    public func check() throws {
        if !problems.isEmpty {
            throw FunctionError.validation(problems)
        }
    }
}

extension HTTPRequest {
    /// The body as a JSON object.
    ///
    /// A missing body counts as `{}` (so every required field gets its own error). The content type must be
    /// JSON when given (`application/json`, parameters allowed). Broken JSON, or JSON that is not an object,
    /// is a 400 in the SPEC error shape.
    public func jsonObject() throws -> RequestBody {
        if let contentType = header("content-type"), !Self.isPlainJSON(contentType),
            let mediaType = contentType.split(separator: ";").first?.trimmingWhitespace().lowercased(),
            mediaType != "application/json", !mediaType.hasSuffix("+json")
        {
            throw FunctionError.badRequest("Content-Type must be application/json")
        }
        guard let body, !body.isEmpty else {
            return RequestBody(members: [:])
        }
        guard let data = bodyData, let (value, outOfRange) = JSONValue.members(parsing: data) else {
            throw FunctionError.badRequest("Request body is not valid JSON")
        }
        guard case .object(let members) = value else {
            throw FunctionError.badRequest("Request body must be a JSON object")
        }
        return RequestBody(members: members, outOfRange: outOfRange)
    }

    /// Whether `contentType` is JSON as nearly every client writes it (`application/json`, perhaps with
    /// parameters): the answer without splitting, trimming and lower-casing it.
    private static func isPlainJSON(_ contentType: String) -> Bool {
        contentType == "application/json" || contentType.hasPrefix("application/json;")
    }
}
