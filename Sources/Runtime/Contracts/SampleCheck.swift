import Contracts
import Foundation
import FunctionKit

/// Checks the sample events in `events/` against the manifest and the schemas: every function has a
/// sample, every sample is a valid event of its function's kind and decodes into its input, and every
/// deliberately invalid sample in `events/invalid/` does fail its schema.
///
/// Samples are named `<function>.json` or `<function>.<case>.json`; invalid ones live in
/// `events/invalid/` under the same names.
public struct SampleCheck: Sendable {
    /// One sample file and the function it belongs to.
    public struct Sample: Sendable {
        /// The file.
        public var url: URL
        /// The function it is for.
        public var function: String
        /// Whether it is a deliberately invalid sample.
        public var isInvalid: Bool
    }

    /// The functions.
    public let registry: FunctionRegistry
    /// The schemas.
    public let contracts: ContractCatalog
    /// The `events/` directory.
    public let directory: URL

    /// Creates a check.
    public init(registry: FunctionRegistry, contracts: ContractCatalog, directory: URL) {
        self.registry = registry
        self.contracts = contracts
        self.directory = directory
    }

    /// The samples found, valid ones first, each matched to the longest function name it starts with.
    public func samples() -> [Sample] {
        func list(_ folder: URL, invalid: Bool) -> [Sample] {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
            return names.filter { $0.hasSuffix(".json") }.sorted().map { name in
                let stem = String(name.dropLast(".json".count))
                let function =
                    registry.entries.map(\.name).filter { stem == $0 || stem.hasPrefix($0 + ".") }.max {
                        $0.count < $1.count
                    }
                    ?? stem
                return Sample(url: folder.appendingPathComponent(name), function: function, isInvalid: invalid)
            }
        }
        return list(directory, invalid: false) + list(directory.appendingPathComponent("invalid"), invalid: true)
    }

    /// The violations of one sample against its function's contract (empty when it is valid).
    public func violations(of sample: Sample) throws -> [SchemaViolation] {
        guard let entry = registry.entry(named: sample.function) else {
            return [
                SchemaViolation(
                    instancePath: "", schemaPath: "", message: "no function '\(sample.function)' for this sample")
            ]
        }
        guard let data = FileManager.default.contents(atPath: sample.url.path), let json = try? JSONValue(parsing: data)
        else {
            return [SchemaViolation(instancePath: "", schemaPath: "", message: "not valid JSON")]
        }
        switch entry.handler {
        case .http:
            guard let request = try? json.decode(as: HTTPRequest.self) else {
                return try contracts.validator.validate(json, against: ContractCatalog.httpEventSchema)
                    + [
                        SchemaViolation(
                            instancePath: "", schemaPath: "", message: "does not decode as an API Gateway v2 event")
                    ]
            }
            var found = try contracts.violations(of: request, function: sample.function)
            if case .http(let route) = entry.declaration.trigger,
                request.method != route.method || route.match(path: request.rawPath) == nil
            {
                found.append(
                    SchemaViolation(
                        instancePath: "/rawPath", schemaPath: "",
                        message:
                            "\(request.method) \(request.rawPath) is not the route \(route) of '\(sample.function)'"))
            }
            return found
        case .subscription(let subject, _):
            guard let event = try? json.decode(as: CloudEvent.self) else {
                return try contracts.validator.validate(json, against: ContractCatalog.cloudEventSchema)
                    + [SchemaViolation(instancePath: "", schemaPath: "", message: "does not decode as a CloudEvent")]
            }
            var found = try contracts.violations(of: event)
            if event.type != subject.rawValue {
                found.append(
                    SchemaViolation(
                        instancePath: "/type", schemaPath: "", message: "'\(sample.function)' takes '\(subject)' events"
                    ))
            }
            if found.isEmpty, let type = PayloadTypes.type(of: subject) {
                do {
                    _ = try event.decodeData(as: type)
                } catch {
                    found.append(
                        SchemaViolation(instancePath: "/data", schemaPath: "", message: "does not decode: \(error)"))
                }
            }
            return found
        case .schedule:
            guard let event = try? json.decode(as: CloudEvent.self) else {
                return [SchemaViolation(instancePath: "", schemaPath: "", message: "does not decode as a CloudEvent")]
            }
            return try contracts.violations(ofScheduled: event, function: sample.function)
        }
    }

    /// Every problem, one sentence each: functions without samples or schemas, valid samples that fail,
    /// invalid samples that pass.
    public func problems() throws -> [String] {
        var problems: [String] = []
        let all = samples()
        for entry in registry.entries {
            if !all.contains(where: { $0.function == entry.name && !$0.isInvalid }) {
                problems.append("function '\(entry.name)' has no sample event in events/")
            }
            if case .schedule = entry.handler,
                !contracts.validator.knows(ContractCatalog.scheduleSchema(for: entry.name))
            {
                problems.append(
                    "function '\(entry.name)' has no payload schema (events/schemas/schedule/\(entry.name).json)")
            }
            if case .http = entry.handler, !entry.handler.answersHTML,
                !contracts.validator.knows(ContractCatalog.responseSchema(for: entry.name))
            {
                problems.append(
                    "function '\(entry.name)' has no response schema (events/schemas/http/\(entry.name).response.json)")
            }
        }
        for sample in all {
            let name = sample.isInvalid ? "invalid/\(sample.url.lastPathComponent)" : sample.url.lastPathComponent
            guard registry.entry(named: sample.function) != nil else {
                problems.append("sample events/\(name) matches no function")
                continue
            }
            let violations = try violations(of: sample)
            if sample.isInvalid && violations.isEmpty {
                problems.append("sample events/\(name) is kept as invalid but passes its schema")
            } else if !sample.isInvalid && !violations.isEmpty {
                problems.append(
                    "sample events/\(name) for '\(sample.function)' fails its schema: "
                        + violations.map(\.description).joined(separator: "; "))
            }
        }
        problems += try subjectSampleProblems()
        return problems
    }

    /// Problems with the per-subject samples in `events/subjects/`: each is a valid CloudEvent of the
    /// subject its name says.
    func subjectSampleProblems() throws -> [String] {
        let folder = directory.appendingPathComponent("subjects")
        let names =
            (try? FileManager.default.contentsOfDirectory(atPath: folder.path))?.filter { $0.hasSuffix(".json") } ?? []
        var problems: [String] = []
        for name in names.sorted() {
            guard let data = FileManager.default.contents(atPath: folder.appendingPathComponent(name).path),
                let event = try? JSONValue(parsing: data).decode(as: CloudEvent.self)
            else {
                problems.append("sample events/subjects/\(name) is not a CloudEvent")
                continue
            }
            if "\(Subject(rawValue: event.type).dashed).json" != name {
                problems.append("sample events/subjects/\(name) carries '\(event.type)' events")
            }
            let violations = try contracts.violations(of: event)
            if !violations.isEmpty {
                problems.append(
                    "sample events/subjects/\(name) fails its schema: "
                        + violations.map(\.description).joined(separator: "; "))
            }
        }
        return problems
    }
}
