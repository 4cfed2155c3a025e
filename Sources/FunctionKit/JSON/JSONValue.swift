import Foundation

/// Any JSON value, with numbers held as exact decimals so that `19.99` stays `19.99`.
public enum JSONValue: Sendable, Hashable {
    case null
    case bool(Bool)
    case number(Decimal)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    /// The member `key` when this is an object.
    public subscript(key: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        return members[key]
    }

    /// The string, when this is one.
    public var stringValue: String? {
        guard case .string(let value) = self else { return nil }
        return value
    }

    /// The number, when this is one.
    public var numberValue: Decimal? {
        guard case .number(let value) = self else { return nil }
        return value
    }

    /// The items, when this is an array.
    public var arrayValue: [JSONValue]? {
        guard case .array(let items) = self else { return nil }
        return items
    }

    /// The members, when this is an object.
    public var objectValue: [String: JSONValue]? {
        guard case .object(let members) = self else { return nil }
        return members
    }

    /// A short name of the value's JSON type, for error messages.
    public var typeName: String {
        switch self {
        case .null: "null"
        case .bool: "boolean"
        case .number: "number"
        case .string: "string"
        case .array: "array"
        case .object: "object"
        }
    }
}

extension JSONValue: Codable {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Decimal.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([JSONValue].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: JSONValue].self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .number(let value): try container.encode(value)
        case .string(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        }
    }
}

extension JSONValue {
    /// A number in valid JSON that lies outside `Decimal`'s range (such as `1e400`).
    public struct NumberOutOfRange: Error, CustomStringConvertible {
        /// The number's location, as a JSON Pointer.
        public let pointer: String
        public var description: String { "the number at \(pointer.isEmpty ? "/" : pointer) is out of range" }
    }

    /// Parses JSON text; a number too large or too small to hold exactly is refused.
    public init(parsing data: Data) throws {
        var parser = JSONParser(data)
        let value = try parser.parse()
        if let path = parser.unrepresentable.first {
            throw NumberOutOfRange(pointer: path.map { "/" + $0 }.joined())
        }
        self = value
    }

    /// Parses a JSON object's text, setting aside the members that hold a number too large or too small to
    /// hold exactly: `members` lacks them and `outOfRange` names them. `nil` when the text is not JSON.
    static func members(parsing data: Data) -> (value: JSONValue, outOfRange: Set<String>)? {
        var parser = JSONParser(data)
        guard var value = try? parser.parse() else { return nil }
        let outOfRange = Set(parser.unrepresentable.compactMap(\.first))
        if case .object(var members) = value, !outOfRange.isEmpty {
            for key in outOfRange { members[key] = nil }
            value = .object(members)
        }
        return (value, outOfRange)
    }

    /// Converts any encodable value to its JSON value.
    public init(encoding value: some Encodable) throws {
        self = try JSONValue(parsing: JSONCoding.data(value))
    }

    /// Decodes this value as `type`.
    public func decode<T: Decodable>(as type: T.Type) throws -> T {
        // Written straight from the value (JSONCoding.data would hand every number to Foundation's encoder).
        let text = try CompactJSONEncoder.readableText(of: self).map { Data($0) } ?? JSONCoding.data(self)
        return try JSONDecoder().decode(type, from: text)
    }
}

/// The JSON encoders the project writes with: keys sorted, slashes unescaped, so output is stable.
public enum JSONCoding {
    /// A compact encoder with sorted keys, shared: `JSONEncoder` may encode on several threads at once, and
    /// making one per call cost more than many an encode.
    public static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    /// Encodes a value to a UTF-8 string: compact, or indented for people.
    public static func string(_ value: some Encodable, pretty: Bool = false) throws -> String {
        if pretty {
            return try JSONValue(encoding: value).prettyPrinted
        }
        if let bytes = CompactJSONEncoder.encode(value) { return String(decoding: bytes, as: UTF8.self) }
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    /// Encodes a value to compact UTF-8 JSON with sorted keys, exactly as ``encoder`` does.
    public static func data(_ value: some Encodable) throws -> Data {
        if let bytes = CompactJSONEncoder.encode(value) { return Data(bytes) }
        return try encoder.encode(value)
    }
}
