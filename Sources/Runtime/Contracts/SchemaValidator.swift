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
    /// Each schema made ready to check (``SchemaNode``) the first time a value is checked against it.
    private let compiled = CompiledSchemas()

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
        let root: SchemaNode
        if let known = compiled.known(id + "#") {
            root = known
        } else {
            guard let schema = schemas[id] else { throw SchemaError(description: "no schema with $id \(id)") }
            root = compiled.store(id + "#", SchemaNode(schema, base: id, root: schema))
        }
        var run = SchemaRun(validator: self, recording: true, depth: 0)
        try run.check(instance, root)
        return run.violations
    }

    /// The schema `reference` points at from a schema in the document `base` (whose whole is `root`), made
    /// ready to check; each target is made once and shared by every reference to it.
    func target(of reference: String, base: String, root: JSONValue) throws -> SchemaNode {
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
        let key = documentID + "#" + fragment
        if let known = compiled.known(key) { return known }
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
        return compiled.store(key, SchemaNode(target, base: documentID, root: document))
    }
}

/// The schemas made ready to check, by absolute location (`$id#pointer`).
private final class CompiledSchemas: Sendable {
    private let nodes = Mutex<[String: SchemaNode]>([:])

    /// The node made for `key`, if any.
    func known(_ key: String) -> SchemaNode? {
        nodes.withLock { $0[key] }
    }

    /// Keeps `node` for `key` and returns it, or the node another thread kept first.
    func store(_ key: String, _ node: SchemaNode) -> SchemaNode {
        nodes.withLock { nodes in
            if let raced = nodes[key] { return raced }
            nodes[key] = node
            return node
        }
    }
}
