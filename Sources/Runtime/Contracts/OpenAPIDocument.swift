import Foundation
import FunctionKit

/// The OpenAPI 3.1 description of the HTTP API, derived from functions.yaml (routes, operation ids), the
/// gateway's own routes (``Gateway/ownRoutes``) and the schemas: `<function>.request.json`,
/// `<function>.response.json` with its `x-status` and `x-errors`, `<function>.query.json`, `error.json`
/// and `gateway/<name>.response.json`. Nothing in it is written by hand.
///
/// Every function's operation declares the error statuses its handler answers (`x-errors`), 413 when it
/// takes a body (the gateway's size limit), 500 (the handler failed) and 504 (its timeout), each with the
/// error shape (``ContractCatalog/runtimeErrorStatuses``). An operation
/// whose handler answers 401 requires a session (a Bearer token or the `session` cookie); the others take
/// one when given.
public enum OpenAPIDocument {
    /// Builds the document; `pages` (HTML functions, not part of the JSON API) are left out.
    public static func make(
        manifest: Manifest, contracts: ContractCatalog, version: String, pages: Set<String> = []
    ) throws -> JSONValue {
        var components = OpenAPIComponents(contracts: contracts)
        var paths: [String: [String: JSONValue]] = [:]
        let error = try components.component(ContractCatalog.errorSchema, named: "error")
        for function in manifest.functions {
            guard case .http(let route) = function.trigger, !pages.contains(function.name) else { continue }
            let operation = try Self.operation(function, route: route, error: error, components: &components)
            paths[route.path, default: [:]][route.method.lowercased()] = operation
        }
        for route in Gateway.ownRoutes {
            let id = ContractCatalog.gatewaySchema(for: route.name)
            let body = try components.component(id, named: "gateway-\(route.name).response")
            let operation: [String: JSONValue] = [
                "operationId": .string("gateway-\(route.name)"), "tags": .array([.string("runtime")]),
                "summary": .string(route.summary),
                "responses": OpenAPIResponses.make(
                    success: body, successes: try OpenAPIResponses.successes(of: try contracts.schema(id)),
                    errors: [:], error: error),
            ]
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
                "schemas": .object(components.schemas),
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

    /// The operation of the HTTP function `function` on `route`.
    private static func operation(
        _ function: Manifest.Function, route: Route, error: JSONValue?, components: inout OpenAPIComponents
    ) throws -> JSONValue {
        let contracts = components.contracts
        var operation: [String: JSONValue] = [
            "operationId": .string(function.name),
            "tags": .array([.string(function.service)]),
            "summary": .string("\(function.name) (\(route))"),
        ]
        let parameters = try Self.parameters(of: function.name, route: route, contracts: contracts)
        if !parameters.isEmpty { operation["parameters"] = .array(parameters) }
        let request = try components.component(
            ContractCatalog.requestSchema(for: function.name), named: "\(function.name).request")
        if let request {
            operation["requestBody"] = .object([
                "required": .bool(true), "content": .object(["application/json": .object(["schema": request])]),
            ])
        }
        let responseID = ContractCatalog.responseSchema(for: function.name)
        let responseSchema = try contracts.schema(responseID)
        let success = try components.component(responseID, named: "\(function.name).response")
        var errors = try OpenAPIResponses.errors(of: responseSchema)
        if request != nil { errors["413"] = OpenAPIResponses.bodyTooLarge }
        errors["500"] = OpenAPIResponses.failed
        errors["504"] = OpenAPIResponses.timedOut
        operation["responses"] = OpenAPIResponses.make(
            success: success, successes: try OpenAPIResponses.successes(of: responseSchema), errors: errors,
            error: error)
        if errors["401"] != nil {
            operation["security"] = .array([.object(["bearer": .array([])]), .object(["session": .array([])])])
        }
        return .object(operation)
    }

    /// The path parameters of `route` (non-empty strings) and the query parameters of `<function>.query.json`.
    private static func parameters(of function: String, route: Route, contracts: ContractCatalog) throws
        -> [JSONValue]
    {
        var parameters: [JSONValue] = route.segments.compactMap { segment in
            guard case .parameter(let name) = segment else { return nil }
            return .object([
                "name": .string(name), "in": .string("path"), "required": .bool(true),
                "schema": .object(["type": .string("string"), "minLength": .number(1)]),
            ])
        }
        guard let query = try contracts.schema(ContractCatalog.querySchema(for: function)),
            let properties = query["properties"]?.objectValue
        else { return parameters }
        let required = Set((query["required"]?.arrayValue ?? []).compactMap(\.stringValue))
        for name in properties.keys.sorted() {
            var parameter: [String: JSONValue] = [
                "name": .string(name), "in": .string("query"), "required": .bool(required.contains(name)),
                "schema": properties[name] ?? .object([:]),
            ]
            if let description = properties[name]?["description"] { parameter["description"] = description }
            parameters.append(.object(parameter))
        }
        return parameters
    }
}
