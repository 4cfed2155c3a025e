import Contracts
import Foundation
import FunctionKit

/// The project's contracts: the JSON Schemas under `events/schemas/`, indexed by event subject and by
/// HTTP function, and the checks every producer, consumer and client is held to.
///
/// Layout: `cloudevent.json` (the envelope), `events/<subject-with-dashes>.json` (each subject's `data`),
/// `http/api-gateway-v2-request.json` (the HTTP event), `http/<function>.request.json` and
/// `http/<function>.response.json` (bodies; `x-status` and `x-errors` give the statuses the handler answers),
/// `http/<function>.query.json` (query parameters), `http/error.json` (the error shape) and
/// `http/gateway/<route>.response.json` (the bodies of the routes the gateway answers itself).
public struct ContractCatalog: Sendable {
    /// The base of every schema's `$id`.
    public static let baseURI = "https://ticketing.dev/schemas"
    /// The CloudEvent envelope's schema.
    public static let cloudEventSchema = "\(baseURI)/cloudevent.json"
    /// The API Gateway v2 request event's schema.
    public static let httpEventSchema = "\(baseURI)/http/api-gateway-v2-request.json"
    /// The error body's schema.
    public static let errorSchema = "\(baseURI)/http/error.json"

    /// The validator holding every schema.
    public let validator: SchemaValidator
    /// Where the schemas were read from.
    public let directory: URL

    /// Reads every `*.json` under `directory`.
    public static func load(directory: URL) throws -> ContractCatalog {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory.path, isDirectory: &isDirectory), isDirectory.boolValue,
            let enumerator = FileManager.default.enumerator(at: directory, includingPropertiesForKeys: nil)
        else {
            throw SchemaValidator.SchemaError(description: "cannot read the schemas in \(directory.path)")
        }
        var schemas: [JSONValue] = []
        for case let url as URL in enumerator where url.pathExtension == "json" {
            guard let data = FileManager.default.contents(atPath: url.path), let schema = try? JSONValue(parsing: data)
            else {
                throw SchemaValidator.SchemaError(description: "\(url.path) is not valid JSON")
            }
            schemas.append(schema)
        }
        return ContractCatalog(validator: try SchemaValidator(schemas: schemas), directory: directory)
    }

    /// The schema of a subject's `data`.
    public static func dataSchema(for subject: String) -> String {
        CloudEvent.schemaLocation(for: Subject(rawValue: subject))
    }

    /// The error statuses the runtime answers for any HTTP function, whatever its `x-errors`: 413 (a body
    /// over the size limit), 500 (the handler failed: a bug or its store, never what a client sent) and
    /// 504 (its timeout ran out).
    public static let runtimeErrorStatuses: Set<Int> = [413, 500, 504]

    /// The schema of an HTTP function's request body.
    public static func requestSchema(for function: String) -> String { "\(baseURI)/http/\(function).request.json" }

    /// The schema of an HTTP function's success response body.
    public static func responseSchema(for function: String) -> String { "\(baseURI)/http/\(function).response.json" }

    /// The schema of the body of a route the gateway answers itself (``Gateway/ownRoutes``).
    public static func gatewaySchema(for route: String) -> String { "\(baseURI)/http/gateway/\(route).response.json" }

    /// The schema of an HTTP function's query parameters.
    public static func querySchema(for function: String) -> String { "\(baseURI)/http/\(function).query.json" }

    /// The schema with `$id` `id`, if known.
    public func schema(_ id: String) throws -> JSONValue? {
        validator.schema(id)
    }

    /// The subjects that have a data schema (`events/ticket-created.json` is `ticket:created`).
    public var subjects: Set<String> {
        let prefix = "\(Self.baseURI)/events/"
        return Set(
            validator.schemaIDs.filter { $0.hasPrefix(prefix) && $0.hasSuffix(".json") }.map { id in
                Self.subject(ofSchemaFile: id.dropFirst(prefix.count))
            })
    }

    /// The subject whose data schema is the file `name` (`ticket-created.json` is `ticket:created`).
    static func subject(ofSchemaFile name: Substring) -> String {
        let dashed = name.dropLast(".json".count)
        guard let dash = dashed.firstIndex(of: "-") else { return String(dashed) }
        return dashed[..<dash] + ":" + dashed[dashed.index(after: dash)...]
    }

    /// Whether `subject` has a data schema.
    public func hasSchema(forSubject subject: String) -> Bool {
        validator.knows(Self.dataSchema(for: subject))
    }

    /// The schema of the payload a schedule target is invoked with.
    public static func scheduleSchema(for function: String) -> String { "\(baseURI)/schedule/\(function).json" }

    /// A scheduled invocation's violations: its envelope, and its `data` against the target's payload
    /// schema when there is one.
    public func violations(ofScheduled event: CloudEvent, function: String) throws -> [SchemaViolation] {
        var found = try validator.validate(event.jsonValue, against: Self.cloudEventSchema)
        let schema = Self.scheduleSchema(for: function)
        guard validator.knows(schema) else { return found }
        found += try validator.validate(event.data ?? .null, against: schema).map { violation in
            SchemaViolation(
                instancePath: "/data" + violation.instancePath, schemaPath: schema + "#" + violation.schemaPath,
                message: violation.message)
        }
        return found
    }

    /// An event's violations: its envelope, and its `data` against its subject's schema.
    public func violations(of event: CloudEvent) throws -> [SchemaViolation] {
        var found = try validator.validate(event.jsonValue, against: Self.cloudEventSchema)
        let schema = Self.dataSchema(for: event.type)
        guard validator.knows(schema) else {
            return found + [
                SchemaViolation(instancePath: "/type", schemaPath: "", message: "subject '\(event.type)' has no schema")
            ]
        }
        found += try validator.validate(event.data ?? .null, against: schema).map { violation in
            SchemaViolation(
                instancePath: "/data" + violation.instancePath, schemaPath: schema + "#" + violation.schemaPath,
                message: violation.message)
        }
        return found
    }

    /// An HTTP request event's violations: its envelope, and its JSON body against the function's request
    /// schema when it has one.
    public func violations(of request: HTTPRequest, function: String) throws -> [SchemaViolation] {
        var found = try validator.validate(try JSONValue(encoding: request), against: Self.httpEventSchema)
        let schema = Self.requestSchema(for: function)
        guard validator.knows(schema) else { return found }
        guard let data = request.bodyData, let body = try? JSONValue(parsing: data) else {
            return found + [SchemaViolation(instancePath: "/body", schemaPath: schema, message: "body is not JSON")]
        }
        found += try validator.validate(body, against: schema).map { violation in
            SchemaViolation(
                instancePath: "/body" + violation.instancePath, schemaPath: schema + "#" + violation.schemaPath,
                message: violation.message)
        }
        return found
    }

    /// A response's violations: a 2xx body against the function's response schema (204 must be empty),
    /// any other status against the error shape. An error status must be one the response schema declares
    /// in `x-errors` (or one of ``runtimeErrorStatuses``), so the OpenAPI document
    /// derived from the schemas lists every status the handler answers.
    public func violations(of response: HTTPResponse, function: String) throws -> [SchemaViolation] {
        if !(200..<300).contains(response.statusCode), !Self.runtimeErrorStatuses.contains(response.statusCode),
            let success = try schema(Self.responseSchema(for: function)),
            (success["x-errors"]?.objectValue ?? [:])["\(response.statusCode)"] == nil
        {
            return [
                SchemaViolation(
                    instancePath: "", schemaPath: Self.responseSchema(for: function) + "#/x-errors",
                    message: "status \(response.statusCode) is not declared in x-errors")
            ]
        }
        if response.statusCode == 204 {
            return response.body.isEmpty
                ? [] : [SchemaViolation(instancePath: "", schemaPath: "", message: "a 204 has no body")]
        }
        let schema = (200..<300).contains(response.statusCode) ? Self.responseSchema(for: function) : Self.errorSchema
        guard validator.knows(schema) else {
            return [
                SchemaViolation(
                    instancePath: "", schemaPath: schema, message: "function '\(function)' has no response schema")
            ]
        }
        guard let body = response.jsonBody else {
            return [SchemaViolation(instancePath: "", schemaPath: schema, message: "body is not JSON")]
        }
        return try validator.validate(body, against: schema).map { violation in
            SchemaViolation(
                instancePath: violation.instancePath, schemaPath: schema + "#" + violation.schemaPath,
                message: violation.message)
        }
    }
}

/// A payload that broke its contract, naming the function, the payload and the schema path.
public struct ContractViolation: Error, CustomStringConvertible, Sendable {
    /// The function that produced or received the payload.
    public var function: String
    /// Which payload: e.g. `response 201`, `published ticket:created`, `sample events/x.json`.
    public var payload: String
    /// The violations.
    public var violations: [SchemaViolation]

    /// Creates a contract violation.
    public init(function: String, payload: String, violations: [SchemaViolation]) {
        self.function = function
        self.payload = payload
        self.violations = violations
    }

    public var description: String {
        "\(function): \(payload) breaks its contract: " + violations.map(\.description).joined(separator: "; ")
    }
}
