import Foundation
import FunctionKit
import Synchronization

/// Validates JSON values against JSON Schema 2020-12, for the keywords this project's schemas use:
/// `type`, `enum`, `const`, `properties`, `required`, `additionalProperties`, `minProperties`, `maxProperties`, `items`, `minItems`,
/// `maxItems`, `minLength`, `maxLength`, `pattern`, `minimum`, `maximum`, `exclusiveMinimum`,
/// `exclusiveMaximum`, `multipleOf`, `allOf`, `anyOf`, `oneOf`, `not`, `$ref` (to `#…` pointers and to
/// other registered schemas by `$id`) and `$defs`. Annotations (`format`, `title`, `examples`, `x-…`, …) are
/// ignored, as the specification allows; a schema using any other keyword (`uniqueItems`, `prefixItems`,
/// `if`, `dependentRequired`, …) is refused when it is loaded, so no schema silently checks less than it says.
public struct SchemaValidator: Sendable {
    /// Why a schema could not be used.
    public struct SchemaError: Error, CustomStringConvertible, Sendable {
        public var description: String
    }

    private let schemas: [String: JSONValue]
    /// Each `pattern` compiled once, the first time a value is checked against it.
    fileprivate let patterns = PatternCache()

    /// Creates a validator over `schemas`, each known by its `$id`; throws when a schema has no `$id`, shares
    /// one, or uses a keyword that is neither implemented nor an annotation.
    public init(schemas: [JSONValue]) throws {
        var byID: [String: JSONValue] = [:]
        for schema in schemas {
            guard let id = schema["$id"]?.stringValue else {
                throw SchemaError(description: "a schema has no $id")
            }
            guard byID[id] == nil else { throw SchemaError(description: "two schemas have $id \(id)") }
            if let (keyword, location) = SchemaKeywords.unsupported(in: schema) {
                throw SchemaError(
                    description:
                        "schema \(id): keyword '\(keyword)' at \(location.isEmpty ? "/" : location) is not implemented "
                        + "by this validator; it would be ignored and the schema would check less than it says "
                        + "(use implemented keywords, annotations or x- extensions only)")
            }
            byID[id] = schema
        }
        self.schemas = byID
    }

    /// The `$id`s known.
    public var schemaIDs: [String] { schemas.keys.sorted() }

    /// The schema with this `$id`, if known.
    public func schema(_ id: String) -> JSONValue? { schemas[id] }

    /// Whether a schema with this `$id` is known.
    public func knows(_ id: String) -> Bool { schemas[id] != nil }

    /// Every way `instance` fails the schema `id` (empty when it is valid).
    public func validate(_ instance: JSONValue, against id: String) throws -> [SchemaViolation] {
        guard let schema = schemas[id] else { throw SchemaError(description: "no schema with $id \(id)") }
        var run = Run(validator: self, violations: [], depth: 0)
        try run.check(instance, schema, base: id, root: schema, instancePath: "", schemaPath: "")
        return run.violations
    }

    fileprivate func resolve(_ reference: String, base: String, root: JSONValue) throws -> (
        schema: JSONValue, base: String, root: JSONValue
    ) {
        let parts = reference.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false)
        let location = String(parts[0])
        let fragment = parts.count > 1 ? String(parts[1]) : ""
        var document = root
        var documentID = base
        if !location.isEmpty {
            let absolute = URL(string: location, relativeTo: URL(string: base))?.absoluteString ?? location
            guard let found = schemas[absolute] ?? schemas[location] else {
                throw SchemaError(description: "$ref \(reference) from \(base) names no known schema")
            }
            document = found
            documentID = absolute
        }
        var target = document
        for token in fragment.split(separator: "/", omittingEmptySubsequences: true) {
            let key = JSONPointer.unescape(token)
            switch target {
            case .object(let members) where members[key] != nil:
                target = members[key] ?? .null
            case .array(let items) where Int(key).map(items.indices.contains) == true:
                target = items[Int(key) ?? 0]
            default:
                throw SchemaError(description: "$ref \(reference) from \(base) points at nothing")
            }
        }
        return (target, documentID, document)
    }
}

private struct Run {
    let validator: SchemaValidator
    var violations: [SchemaViolation]
    var depth: Int

    mutating func fail(_ instancePath: String, _ schemaPath: String, _ message: String) {
        violations.append(SchemaViolation(instancePath: instancePath, schemaPath: schemaPath, message: message))
    }

    /// Whether `instance` is valid, without recording anything.
    func passes(_ instance: JSONValue, _ schema: JSONValue, base: String, root: JSONValue) throws -> Bool {
        var probe = Run(validator: validator, violations: [], depth: depth)
        try probe.check(instance, schema, base: base, root: root, instancePath: "", schemaPath: "")
        return probe.violations.isEmpty
    }

    mutating func check(
        _ instance: JSONValue, _ schemaValue: JSONValue, base: String, root: JSONValue, instancePath: String,
        schemaPath: String
    ) throws {
        depth += 1
        defer { depth -= 1 }
        guard depth < 64 else { throw SchemaValidator.SchemaError(description: "$ref cycle at \(schemaPath)") }
        let schema: Keywords
        switch schemaValue {
        case .bool(true): return
        case .bool(false): return fail(instancePath, schemaPath, "no value is allowed here")
        case .object(let members): schema = Keywords(members)
        default: throw SchemaValidator.SchemaError(description: "schema at \(schemaPath) is not an object or boolean")
        }
        if let reference = schema.ref?.stringValue {
            let target = try validator.resolve(reference, base: base, root: root)
            try check(
                instance, target.schema, base: target.base, root: target.root, instancePath: instancePath,
                schemaPath: schemaPath + "/$ref")
        }
        checkType(instance, schema, instancePath, schemaPath)
        if let allowed = schema.enumeration, case .array(let values) = allowed,
            !values.contains(where: { Self.equal($0, instance) })
        {
            fail(
                instancePath, schemaPath + "/enum",
                "must be one of \(values.map(Self.describe).joined(separator: ", "))")
        }
        if let constant = schema.constant, !Self.equal(constant, instance) {
            fail(instancePath, schemaPath + "/const", "must be \(Self.describe(constant))")
        }
        switch instance {
        case .object(let members): try checkObject(members, schema, base: base, root: root, instancePath, schemaPath)
        case .array(let items): try checkArray(items, schema, base: base, root: root, instancePath, schemaPath)
        case .string(let text): try checkString(text, schema, instancePath, schemaPath)
        case .number(let value): checkNumber(value, schema, instancePath, schemaPath)
        default: break
        }
        try checkCombinators(instance, schema, base: base, root: root, instancePath, schemaPath)
    }

    private mutating func checkType(
        _ instance: JSONValue, _ schema: Keywords, _ instancePath: String, _ schemaPath: String
    ) {
        let types: [String]
        switch schema.type {
        case .string(let type)?: types = [type]
        case .array(let list)?: types = list.compactMap(\.stringValue)
        default: return
        }
        let matches = types.contains { type in
            switch (type, instance) {
            case ("null", .null), ("boolean", .bool), ("number", .number), ("string", .string), ("array", .array),
                ("object", .object):
                true
            case ("integer", .number(let value)): Self.isInteger(value)
            default: false
            }
        }
        if !matches {
            fail(
                instancePath, schemaPath + "/type",
                "must be \(types.joined(separator: " or ")), not \(instance.typeName)")
        }
    }

    private mutating func checkObject(
        _ members: [String: JSONValue], _ schema: Keywords, base: String, root: JSONValue, _ instancePath: String,
        _ schemaPath: String
    ) throws {
        if case .array(let required)? = schema.required {
            for name in required.compactMap(\.stringValue) where members[name] == nil {
                fail(instancePath, schemaPath + "/required", "required property '\(name)' is missing")
            }
        }
        let properties = schema.properties?.objectValue ?? [:]
        for key in members.keys.sorted() {
            guard let value = members[key] else { continue }
            let path = instancePath + "/" + JSONPointer.escape(key)
            if let property = properties[key] {
                try check(
                    value, property, base: base, root: root, instancePath: path,
                    schemaPath: schemaPath + "/properties/" + JSONPointer.escape(key))
            } else if let additional = schema.additionalProperties {
                if case .bool(false) = additional {
                    fail(path, schemaPath + "/additionalProperties", "property '\(key)' is not allowed")
                } else {
                    try check(
                        value, additional, base: base, root: root, instancePath: path,
                        schemaPath: schemaPath + "/additionalProperties")
                }
            }
        }
        if let minimum = schema.minProperties?.numberValue, Decimal(members.count) < minimum {
            fail(instancePath, schemaPath + "/minProperties", "must have at least \(minimum) properties")
        }
        if let maximum = schema.maxProperties?.numberValue, Decimal(members.count) > maximum {
            fail(instancePath, schemaPath + "/maxProperties", "must have at most \(maximum) properties")
        }
    }

    private mutating func checkArray(
        _ items: [JSONValue], _ schema: Keywords, base: String, root: JSONValue, _ instancePath: String,
        _ schemaPath: String
    ) throws {
        if let itemSchema = schema.items {
            for (index, item) in items.enumerated() {
                try check(
                    item, itemSchema, base: base, root: root, instancePath: "\(instancePath)/\(index)",
                    schemaPath: schemaPath + "/items")
            }
        }
        if let minimum = schema.minItems?.numberValue, Decimal(items.count) < minimum {
            fail(instancePath, schemaPath + "/minItems", "must have at least \(minimum) items")
        }
        if let maximum = schema.maxItems?.numberValue, Decimal(items.count) > maximum {
            fail(instancePath, schemaPath + "/maxItems", "must have at most \(maximum) items")
        }
    }

    private mutating func checkString(_ text: String, _ schema: Keywords, _ instancePath: String, _ schemaPath: String)
        throws
    {
        let length = Decimal(text.unicodeScalars.count)
        if let minimum = schema.minLength?.numberValue, length < minimum {
            fail(instancePath, schemaPath + "/minLength", "must be at least \(minimum) characters long")
        }
        if let maximum = schema.maxLength?.numberValue, length > maximum {
            fail(instancePath, schemaPath + "/maxLength", "must be at most \(maximum) characters long")
        }
        if let pattern = schema.pattern?.stringValue {
            guard let expression = validator.patterns.expression(pattern) else {
                throw SchemaValidator.SchemaError(
                    description: "pattern at \(schemaPath) is not a valid regular expression")
            }
            let range = NSRange(text.startIndex..., in: text)
            if expression.firstMatch(in: text, range: range) == nil {
                fail(instancePath, schemaPath + "/pattern", "must match \(pattern)")
            }
        }
    }

    private mutating func checkNumber(
        _ value: Decimal, _ schema: Keywords, _ instancePath: String, _ schemaPath: String
    ) {
        if let bound = schema.minimum?.numberValue, value < bound {
            fail(instancePath, schemaPath + "/minimum", "must be at least \(bound)")
        }
        if let bound = schema.maximum?.numberValue, value > bound {
            fail(instancePath, schemaPath + "/maximum", "must be at most \(bound)")
        }
        if let bound = schema.exclusiveMinimum?.numberValue, value <= bound {
            fail(instancePath, schemaPath + "/exclusiveMinimum", "must be greater than \(bound)")
        }
        if let bound = schema.exclusiveMaximum?.numberValue, value >= bound {
            fail(instancePath, schemaPath + "/exclusiveMaximum", "must be less than \(bound)")
        }
        if let divisor = schema.multipleOf?.numberValue, divisor > 0, !Self.isInteger(value / divisor) {
            fail(instancePath, schemaPath + "/multipleOf", "must be a multiple of \(divisor)")
        }
    }

    private mutating func checkCombinators(
        _ instance: JSONValue, _ schema: Keywords, base: String, root: JSONValue, _ instancePath: String,
        _ schemaPath: String
    ) throws {
        if case .array(let all)? = schema.allOf {
            for (index, part) in all.enumerated() {
                try check(
                    instance, part, base: base, root: root, instancePath: instancePath,
                    schemaPath: "\(schemaPath)/allOf/\(index)")
            }
        }
        if case .array(let any)? = schema.anyOf {
            let passing = try any.filter { try passes(instance, $0, base: base, root: root) }
            if passing.isEmpty {
                fail(instancePath, schemaPath + "/anyOf", "must match at least one of \(any.count) schemas")
            }
        }
        if case .array(let one)? = schema.oneOf {
            let passing = try one.filter { try passes(instance, $0, base: base, root: root) }.count
            if passing != 1 {
                fail(
                    instancePath, schemaPath + "/oneOf",
                    "must match exactly one of \(one.count) schemas (matches \(passing))")
            }
        }
        if let negated = schema.not, try passes(instance, negated, base: base, root: root) {
            fail(instancePath, schemaPath + "/not", "must not match the schema")
        }
    }

    static func isInteger(_ value: Decimal) -> Bool {
        var copy = value
        var rounded = Decimal()
        NSDecimalRound(&rounded, &copy, 0, .plain)
        return rounded == value
    }

    static func equal(_ lhs: JSONValue, _ rhs: JSONValue) -> Bool {
        lhs == rhs
    }

    static func describe(_ value: JSONValue) -> String {
        (try? JSONCoding.string(value)) ?? "\(value)"
    }
}

/// The keywords of one schema object this validator implements, read in one pass over its members: a
/// schema object holds a few keywords and is asked about some twenty, each a hash lookup otherwise.
private struct Keywords {
    var ref, type, enumeration, constant, required, properties, additionalProperties, minProperties,
        maxProperties, items, minItems, maxItems, minLength, maxLength, pattern, minimum, maximum,
        exclusiveMinimum, exclusiveMaximum, multipleOf, allOf, anyOf, oneOf, not: JSONValue?

    init(_ members: [String: JSONValue]) {
        for (keyword, value) in members {
            switch keyword {
            case "$ref": ref = value
            case "type": type = value
            case "enum": enumeration = value
            case "const": constant = value
            case "required": required = value
            case "properties": properties = value
            case "additionalProperties": additionalProperties = value
            case "minProperties": minProperties = value
            case "maxProperties": maxProperties = value
            case "items": items = value
            case "minItems": minItems = value
            case "maxItems": maxItems = value
            case "minLength": minLength = value
            case "maxLength": maxLength = value
            case "pattern": pattern = value
            case "minimum": minimum = value
            case "maximum": maximum = value
            case "exclusiveMinimum": exclusiveMinimum = value
            case "exclusiveMaximum": exclusiveMaximum = value
            case "multipleOf": multipleOf = value
            case "allOf": allOf = value
            case "anyOf": anyOf = value
            case "oneOf": oneOf = value
            case "not": not = value
            default: break
            }
        }
    }
}

/// Compiled `pattern`s by their text: compiling one costs far more than matching it, and every event and
/// request checked goes through the same few.
private final class PatternCache: Sendable {
    /// A compiled expression; `NSRegularExpression` is immutable and safe to match from any thread.
    private struct Compiled: @unchecked Sendable {
        var expression: NSRegularExpression?
    }

    private let compiled = Mutex<[String: Compiled]>([:])

    /// `pattern` compiled, or `nil` when it is not a valid regular expression.
    func expression(_ pattern: String) -> NSRegularExpression? {
        if let known = compiled.withLock({ $0[pattern] }) { return known.expression }
        let expression = try? NSRegularExpression(pattern: pattern)
        compiled.withLock { $0[pattern] = Compiled(expression: expression) }
        return expression
    }
}
