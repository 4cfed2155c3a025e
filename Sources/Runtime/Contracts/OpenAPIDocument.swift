import Foundation
import FunctionKit

/// The OpenAPI 3.1 description of the HTTP API, derived from functions.yaml (routes, operation ids) and
/// the schemas (`<function>.request.json`, `.response.json` with its `x-status`, `.query.json`,
/// `error.json`): nothing in it is written by hand.
public enum OpenAPIDocument {
    /// Builds the document; `pages` (HTML functions, not part of the JSON API) are left out.
    public static func make(
        manifest: Manifest, contracts: ContractCatalog, version: String, pages: Set<String> = []
    ) throws -> JSONValue {
        var schemas: [String: JSONValue] = [:]
        var paths: [String: [String: JSONValue]] = [:]
        func component(_ id: String, named name: String) throws -> JSONValue? {
            guard case .object(var members)? = try contracts.schema(id) else { return nil }
            // Components live in one document: local definitions become components of their own, and the
            // schema's own identity and annotations for this project are dropped.
            for (definition, schema) in members["$defs"]?.objectValue ?? [:] {
                schemas["\(name).\(definition)"] = relocate(schema, definitionsOf: name)
            }
            for key in ["$defs", "$id", "$schema", "x-status"] { members[key] = nil }
            schemas[name] = relocate(.object(members), definitionsOf: name)
            return .object(["$ref": .string("#/components/schemas/\(name)")])
        }
        let error = try component(ContractCatalog.errorSchema, named: "error")
        for function in manifest.functions {
            guard case .http(let route) = function.trigger, !pages.contains(function.name) else { continue }
            var operation: [String: JSONValue] = [
                "operationId": .string(function.name),
                "tags": .array([.string(function.service)]),
                "summary": .string("\(function.name) (\(route))"),
            ]
            var parameters: [JSONValue] = route.segments.compactMap { segment in
                guard case .parameter(let name) = segment else { return nil }
                return .object([
                    "name": .string(name), "in": .string("path"), "required": .bool(true),
                    "schema": .object(["type": .string("string")]),
                ])
            }
            if let query = try contracts.schema(ContractCatalog.querySchema(for: function.name)),
                let properties = query["properties"]?.objectValue
            {
                let required = Set((query["required"]?.arrayValue ?? []).compactMap(\.stringValue))
                for name in properties.keys.sorted() {
                    var parameter: [String: JSONValue] = [
                        "name": .string(name), "in": .string("query"), "required": .bool(required.contains(name)),
                        "schema": properties[name] ?? .object([:]),
                    ]
                    if let description = properties[name]?["description"] { parameter["description"] = description }
                    parameters.append(.object(parameter))
                }
            }
            if !parameters.isEmpty { operation["parameters"] = .array(parameters) }
            if let request = try component(
                ContractCatalog.requestSchema(for: function.name), named: "\(function.name).request")
            {
                operation["requestBody"] = .object([
                    "required": .bool(true), "content": .object(["application/json": .object(["schema": request])]),
                ])
            }
            var responses: [String: JSONValue] = [:]
            let responseID = ContractCatalog.responseSchema(for: function.name)
            if let response = try component(responseID, named: "\(function.name).response") {
                let status = try contracts.schema(responseID)?["x-status"]?.numberValue.map { "\($0)" } ?? "200"
                responses[status] = .object([
                    "description": .string("Success"),
                    "content": .object(["application/json": .object(["schema": response])]),
                ])
            }
            if let error {
                responses["default"] = .object([
                    "description": .string("An error in the shape {\"errors\": [{message, field?, code?}]}"),
                    "content": .object(["application/json": .object(["schema": error])]),
                ])
            }
            operation["responses"] = .object(responses)
            paths[route.path, default: [:]][route.method.lowercased()] = .object(operation)
        }
        return .object([
            "openapi": .string("3.1.0"),
            "jsonSchemaDialect": .string("https://json-schema.org/draft/2020-12/schema"),
            "info": .object([
                "title": .string("Ticketing"), "version": .string(version),
                "description": .string("Generated from functions.yaml and events/schemas by `ticketing openapi`."),
            ]),
            "paths": .object(paths.mapValues { .object($0) }),
            "components": .object([
                "schemas": .object(schemas),
                "securitySchemes": .object([
                    "bearer": .object([
                        "type": .string("http"), "scheme": .string("bearer"), "bearerFormat": .string("JWT"),
                    ]),
                    "session": .object(["type": .string("apiKey"), "in": .string("cookie"), "name": .string("session")]
                    ),
                ]),
            ]),
            "security": .array([.object([:]), .object(["bearer": .array([])]), .object(["session": .array([])])]),
        ])
    }

    /// `schema` with references to its local `#/$defs/x` pointed at the component `<name>.x`.
    private static func relocate(_ schema: JSONValue, definitionsOf name: String) -> JSONValue {
        switch schema {
        case .object(let members):
            var moved = members.mapValues { relocate($0, definitionsOf: name) }
            if let reference = members["$ref"]?.stringValue, reference.hasPrefix("#/$defs/") {
                moved["$ref"] = .string("#/components/schemas/\(name).\(reference.dropFirst("#/$defs/".count))")
            }
            return .object(moved)
        case .array(let items):
            return .array(items.map { relocate($0, definitionsOf: name) })
        default:
            return schema
        }
    }
}
