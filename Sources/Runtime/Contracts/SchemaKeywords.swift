import FunctionKit

/// The JSON Schema 2020-12 keywords ``SchemaValidator`` knows, and the check that refuses a schema using
/// any other: a keyword that asserts or applies subschemas and is not implemented would otherwise be
/// ignored, so the schema would silently check less than a complete validator (check-jsonschema) does.
enum SchemaKeywords {
    /// Keywords whose value is one subschema.
    static let subschema: Set<String> = ["items", "additionalProperties", "not"]
    /// Keywords whose value is an array of subschemas.
    static let subschemaArrays: Set<String> = ["allOf", "anyOf", "oneOf"]
    /// Keywords whose value maps names to subschemas.
    static let subschemaMaps: Set<String> = ["properties", "$defs"]
    /// Implemented assertions, and core keywords that are understood (`$id`, `$schema`, `$ref`).
    static let assertions: Set<String> = [
        "$id", "$schema", "$ref", "type", "enum", "const", "required", "minProperties", "maxProperties",
        "minItems", "maxItems", "minLength", "maxLength", "pattern", "minimum", "maximum", "exclusiveMinimum",
        "exclusiveMaximum", "multipleOf",
    ]
    /// Annotations: they describe and assert nothing, so ignoring them is what the specification asks.
    /// `format` is an annotation under the 2020-12 format-annotation vocabulary, and so are the content
    /// keywords.
    static let annotations: Set<String> = [
        "title", "description", "default", "examples", "deprecated", "readOnly", "writeOnly", "$comment", "format",
        "contentEncoding", "contentMediaType", "contentSchema",
    ]

    /// The first keyword in `schema` (or any of its subschemas) that is neither implemented nor an
    /// annotation, with its location as a JSON pointer into the schema; `nil` when every keyword is known.
    /// Extension keywords (`x-…`) are annotations of this project and are allowed.
    static func unsupported(in schema: JSONValue, at location: String = "") -> (keyword: String, location: String)? {
        guard case .object(let members) = schema else { return nil }
        for key in members.keys.sorted() {
            guard let value = members[key] else { continue }
            let path = location + "/" + JSONPointer.escape(key)
            if subschema.contains(key) {
                if let found = unsupported(in: value, at: path) { return found }
            } else if subschemaArrays.contains(key) {
                for (index, part) in (value.arrayValue ?? []).enumerated() {
                    if let found = unsupported(in: part, at: "\(path)/\(index)") { return found }
                }
            } else if subschemaMaps.contains(key) {
                for name in (value.objectValue ?? [:]).keys.sorted() {
                    guard let part = value.objectValue?[name] else { continue }
                    if let found = unsupported(in: part, at: path + "/" + JSONPointer.escape(name)) { return found }
                }
            } else if !assertions.contains(key) && !annotations.contains(key) && !key.hasPrefix("x-") {
                return (key, path)
            }
        }
        return nil
    }
}
