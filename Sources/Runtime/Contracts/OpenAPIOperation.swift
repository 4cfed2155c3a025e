import Foundation
import FunctionKit

/// The schemas of an OpenAPI document's `components`, gathered while its operations are built.
struct OpenAPIComponents {
    let contracts: ContractCatalog
    private(set) var schemas: [String: JSONValue] = [:]

    init(contracts: ContractCatalog) {
        self.contracts = contracts
    }

    /// The schema `id` as the component `name`, and a reference to it; `nil` when there is no such schema.
    /// Components live in one document: local definitions become components of their own, and the
    /// schema's identity and this project's annotations (`x-…`) are dropped.
    mutating func component(_ id: String, named name: String) throws -> JSONValue? {
        guard case .object(var members)? = try contracts.schema(id) else { return nil }
        for (definition, schema) in members["$defs"]?.objectValue ?? [:] {
            schemas["\(name).\(definition)"] = Self.relocate(schema, definitionsOf: name)
        }
        for key in members.keys where key.hasPrefix("x-") || ["$defs", "$id", "$schema"].contains(key) {
            members[key] = nil
        }
        schemas[name] = Self.relocate(.object(members), definitionsOf: name)
        return .object(["$ref": .string("#/components/schemas/\(name)")])
    }

    /// `schema` with references to its local `#/$defs/x` pointed at the component `<name>.x`, and each
    /// `x-multipleOf` made the `multipleOf` it stands for.
    ///
    /// A price's "at most two decimals" is `multipleOf: 0.01`, but Python's jsonschema (check-jsonschema,
    /// the reference the contract tests hold the schemas to) divides in binary floating point and finds
    /// 149.99 no multiple of 0.01; so the schemas say it as `x-multipleOf` (an annotation to both
    /// validators, enforced by the handlers), and the OpenAPI document, whose tools (schemathesis) divide
    /// exactly, says it as `multipleOf`.
    private static func relocate(_ schema: JSONValue, definitionsOf name: String) -> JSONValue {
        switch schema {
        case .object(let members):
            var moved = members.mapValues { relocate($0, definitionsOf: name) }
            if let reference = members["$ref"]?.stringValue, reference.hasPrefix("#/$defs/") {
                moved["$ref"] = .string("#/components/schemas/\(name).\(reference.dropFirst("#/$defs/".count))")
            }
            if let divisor = moved.removeValue(forKey: "x-multipleOf") { moved["multipleOf"] = divisor }
            return .object(moved)
        case .array(let items):
            return .array(items.map { relocate($0, definitionsOf: name) })
        default:
            return schema
        }
    }
}

/// The responses of one operation, read from its success schema's annotations: `x-status` (the success
/// status, or a list of statuses that share the body) and `x-errors` (each error status the handler
/// answers, with what it means), plus what the runtime itself answers for every function.
enum OpenAPIResponses {
    /// What the runtime answers for any function whose request has a body: the gateway's size limit.
    static let bodyTooLarge = "The request body is over the size limit (`serve --body-limit`, 1 MiB by default)."
    /// What the runtime answers for every function whose handler fails (no request a client can send
    /// should cause it; schemathesis's not_a_server_error holds the API to that).
    static let failed =
        "The function failed: a bug, or its store is unavailable; never an answer to the request's content."
    /// What the runtime answers for every function: its timeout in functions.yaml ran out.
    static let timedOut = "The function did not answer within its timeout (functions.yaml)."

    /// The statuses answered with the body `schema` describes, each with its description: `x-status` is one
    /// status, or an object mapping statuses to descriptions (200 `Success` when there is none).
    static func successes(of schema: JSONValue?) throws -> [String: String] {
        switch schema?["x-status"] {
        case .number(let status)?: ["\(status)": status == 204 ? "No Content" : "Success"]
        case .object?: try described(schema?["x-status"], "x-status")
        case nil: ["200": "Success"]
        default:
            throw SchemaValidator.SchemaError(description: "x-status must be a status or map statuses to descriptions")
        }
    }

    /// The error statuses `schema` declares in `x-errors`, each with its description.
    static func errors(of schema: JSONValue?) throws -> [String: String] {
        try described(schema?["x-errors"], "x-errors")
    }

    private static func described(_ value: JSONValue?, _ keyword: String) throws -> [String: String] {
        guard let value else { return [:] }
        let problem = SchemaValidator.SchemaError(description: "\(keyword) must map statuses to descriptions")
        guard let statuses = value.objectValue else { throw problem }
        return try statuses.mapValues { description in
            guard let text = description.stringValue else { throw problem }
            return text
        }
    }

    /// The `responses` object: the success body under each success status (none under 204) and the error
    /// shape under each error status.
    static func make(success: JSONValue?, successes: [String: String], errors: [String: String], error: JSONValue?)
        -> JSONValue
    {
        var responses: [String: JSONValue] = [:]
        for (status, description) in successes {
            var response: [String: JSONValue] = ["description": .string(description)]
            if let success, status != "204" {
                response["content"] = .object(["application/json": .object(["schema": success])])
            }
            responses[status] = .object(response)
        }
        for (status, description) in errors {
            var response: [String: JSONValue] = ["description": .string(description)]
            if let error { response["content"] = .object(["application/json": .object(["schema": error])]) }
            responses[status] = .object(response)
        }
        return .object(responses)
    }
}
