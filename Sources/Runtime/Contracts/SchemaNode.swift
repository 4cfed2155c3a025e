import Foundation
import FunctionKit
import Synchronization

/// One schema made ready to check: its keywords read once, its bounds as numbers, its `pattern` compiled,
/// its subschemas made into nodes (a `$ref` when first followed). Checking a value walks these nodes instead
/// of looking the keywords up in the schema's JSON again for every value.
///
/// A keyword whose value has the wrong shape is ignored, as before (`required` that is not an array, say);
/// a subschema that is neither an object nor a boolean, an unresolvable `$ref` and an invalid `pattern` are
/// errors when a value reaches them, not when the schema is made ready.
final class SchemaNode: Sendable {
    enum Form {
        /// `true`: every value.
        case anything
        /// `false`: no value.
        case nothing
        /// Neither an object nor a boolean.
        case invalid
        /// An object of keywords.
        case keywords
    }

    /// What `additionalProperties` asks of members not in `properties`.
    enum Additional {
        case unchecked
        case forbidden
        case schema(SchemaNode)
    }

    /// A subschema with the piece of schema path that leads to it (`/properties/price`, `/items`, …).
    struct Child {
        let path: String
        let node: SchemaNode
    }

    let form: Form
    let reference: SchemaReference?
    /// `type`'s names, in the schema's order; `nil` when absent.
    let types: [String]?
    let enumeration: [JSONValue]?
    let constant: JSONValue?
    let required: [String]
    let properties: [String: Child]
    let additional: Additional
    let minProperties, maxProperties, minItems, maxItems, minLength, maxLength: CountBound?
    let minimum, maximum, exclusiveMinimum, exclusiveMaximum, multipleOf: Decimal?
    let items: SchemaNode?
    let pattern: Pattern?
    let allOf: [Child]
    let anyOf: [SchemaNode]?
    let oneOf: [SchemaNode]?
    let not: SchemaNode?

    /// Makes `schema`, found in the document `base` whose whole is `root`, ready to check.
    init(_ schema: JSONValue, base: String, root: JSONValue) {
        let members: [String: JSONValue]
        switch schema {
        case .bool(let allowed):
            form = allowed ? .anything : .nothing
            members = [:]
        case .object(let found):
            form = .keywords
            members = found
        default:
            form = .invalid
            members = [:]
        }
        func node(_ value: JSONValue?) -> SchemaNode? { value.map { SchemaNode($0, base: base, root: root) } }
        func nodes(_ value: JSONValue?) -> [SchemaNode]? {
            guard case .array(let list)? = value else { return nil }
            return list.map { SchemaNode($0, base: base, root: root) }
        }
        reference = members["$ref"]?.stringValue.map { SchemaReference($0, base: base, root: root) }
        switch members["type"] {
        case .string(let type)?: types = [type]
        case .array(let list)?: types = list.compactMap(\.stringValue)
        default: types = nil
        }
        if case .array(let values)? = members["enum"] { enumeration = values } else { enumeration = nil }
        constant = members["const"]
        if case .array(let names)? = members["required"] {
            required = names.compactMap(\.stringValue)
        } else {
            required = []
        }
        var properties: [String: Child] = [:]
        for (name, property) in members["properties"]?.objectValue ?? [:] {
            properties[name] = Child(
                path: "/properties/" + JSONPointer.escape(name), node: SchemaNode(property, base: base, root: root))
        }
        self.properties = properties
        switch members["additionalProperties"] {
        case nil: additional = .unchecked
        case .bool(false)?: additional = .forbidden
        case let value?: additional = .schema(SchemaNode(value, base: base, root: root))
        }
        minProperties = members["minProperties"]?.numberValue.map(CountBound.init)
        maxProperties = members["maxProperties"]?.numberValue.map(CountBound.init)
        minItems = members["minItems"]?.numberValue.map(CountBound.init)
        maxItems = members["maxItems"]?.numberValue.map(CountBound.init)
        minLength = members["minLength"]?.numberValue.map(CountBound.init)
        maxLength = members["maxLength"]?.numberValue.map(CountBound.init)
        minimum = members["minimum"]?.numberValue
        maximum = members["maximum"]?.numberValue
        exclusiveMinimum = members["exclusiveMinimum"]?.numberValue
        exclusiveMaximum = members["exclusiveMaximum"]?.numberValue
        multipleOf = members["multipleOf"]?.numberValue
        items = node(members["items"])
        pattern = members["pattern"]?.stringValue.map(Pattern.init)
        allOf = (nodes(members["allOf"]) ?? []).enumerated().map { index, node in
            Child(path: "/allOf/\(index)", node: node)
        }
        anyOf = nodes(members["anyOf"])
        oneOf = nodes(members["oneOf"])
        not = node(members["not"])
    }

    /// A bound on a count (of characters, items or members): compared as a whole number when it is one,
    /// which is what schemas write, instead of as a `Decimal` (a thousand times dearer).
    struct CountBound {
        /// The bound as written, for messages.
        let value: Decimal
        private let whole: Int?

        init(_ value: Decimal) {
            self.value = value
            let fits = SchemaRun.isInteger(value) && abs(value) < 1_000_000_000_000
            whole = fits ? NSDecimalNumber(decimal: value).intValue : nil
        }

        /// Whether `count` is less than the bound.
        func exceeds(_ count: Int) -> Bool { whole.map { count < $0 } ?? (Decimal(count) < value) }

        /// Whether `count` is more than the bound.
        func isExceeded(by count: Int) -> Bool { whole.map { count > $0 } ?? (Decimal(count) > value) }
    }

    /// A `pattern`, compiled once; `NSRegularExpression` is immutable and safe to match from any thread.
    struct Pattern: @unchecked Sendable {
        let text: String
        let expression: NSRegularExpression?

        init(_ text: String) {
            self.text = text
            expression = try? NSRegularExpression(pattern: text)
        }
    }
}

/// A `$ref`, resolved and made ready the first time a value follows it (so reference cycles and references
/// to schemas never used cost nothing when the schema is made ready). The target belongs to the validator's
/// cache, which keeps it as long as the validator; the reference only points at it, so a cycle of
/// references is not a cycle of ownership.
final class SchemaReference: Sendable {
    private struct Target {
        weak var node: SchemaNode?
    }

    let text: String
    private let base: String
    private let root: JSONValue
    private let resolved = Mutex(Target())

    init(_ text: String, base: String, root: JSONValue) {
        self.text = text
        self.base = base
        self.root = root
    }

    /// The node the reference points at, through `validator`'s schemas.
    func node(in validator: SchemaValidator) throws -> SchemaNode {
        if let known = resolved.withLock({ $0.node }) { return known }
        let target = try validator.target(of: text, base: base, root: root)
        resolved.withLock { $0.node = target }
        return target
    }
}
