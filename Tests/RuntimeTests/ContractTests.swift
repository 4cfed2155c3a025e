import Auth
import ChildProcess
import Expiration
import Foundation
import FunctionKit
import FunctionTesting
import Orders
import Payments
import Runtime
import Stripe
import Testing
import Tickets
import Web

/// The contracts: every sample against its schemas, and the Swift validator against the reference
/// implementation (Python's check-jsonschema) on every sample.
@Suite struct ContractTests {
    /// One schema check of one sample: an instance and the schema it must (or, for invalid samples, may
    /// not) satisfy.
    struct Check {
        var sample: String
        var schema: String
        var instance: JSONValue
        var expectedValid: Bool?
    }

    static func project() throws -> (FunctionRegistry, ContractCatalog, SampleCheck) {
        let contracts = try ContractCatalog.load(directory: ProjectFiles.schemas)
        let registry = try FunctionRegistry(
            services: [
                AuthService.definition(), TicketsService.definition(), OrdersService.definition(),
                ExpirationService.definition(), PaymentsService.definition(stripe: MockStripeClient()),
                WebService.definition(settings: WebSettings(api: MarketplaceAPI(), cards: .testCards)),
            ],
            manifest: try Manifest.load(path: ProjectFiles.manifest.path), knownSubjects: contracts.subjects)
        return (
            registry, contracts, SampleCheck(registry: registry, contracts: contracts, directory: ProjectFiles.events)
        )
    }

    /// The instances a sample is checked as: the event envelope, and its body or data. The per-subject
    /// CloudEvents of `events/subjects/` are included.
    static func checks(_ check: SampleCheck) throws -> [Check] {
        let subjects = ProjectFiles.events.appendingPathComponent("subjects")
        let subjectChecks = try FileManager.default.contentsOfDirectory(atPath: subjects.path).filter {
            $0.hasSuffix(".json")
        }
        .sorted().flatMap { name -> [Check] in
            let json = try JSONValue(parsing: try Data(contentsOf: subjects.appendingPathComponent(name)))
            let type = json["type"]?.stringValue ?? ""
            return [
                Check(
                    sample: "subjects/\(name)", schema: ContractCatalog.cloudEventSchema, instance: json,
                    expectedValid: true),
                Check(
                    sample: "subjects/\(name)", schema: ContractCatalog.dataSchema(for: type),
                    instance: json["data"] ?? .null, expectedValid: true),
            ]
        }
        return try subjectChecks
            + check.samples().flatMap { sample -> [Check] in
                let name = (sample.isInvalid ? "invalid/" : "") + sample.url.lastPathComponent
                let json = try JSONValue(parsing: try Data(contentsOf: sample.url))
                guard let entry = check.registry.entry(named: sample.function) else { return [] }
                switch entry.handler {
                case .http:
                    var checks = [
                        Check(
                            sample: name, schema: ContractCatalog.httpEventSchema, instance: json,
                            expectedValid: sample.isInvalid ? nil : true)
                    ]
                    let bodySchema = ContractCatalog.requestSchema(for: sample.function)
                    if check.contracts.validator.knows(bodySchema), let text = json["body"]?.stringValue,
                        let body = try? JSONValue(parsing: Data(text.utf8))
                    {
                        checks.append(
                            Check(
                                sample: name, schema: bodySchema, instance: body,
                                expectedValid: sample.isInvalid ? nil : true))
                    }
                    return checks
                case .schedule:
                    // A timer's payload has its schema under schedule/, not under a subject.
                    var checks = [
                        Check(
                            sample: name, schema: ContractCatalog.cloudEventSchema, instance: json,
                            expectedValid: sample.isInvalid ? nil : true)
                    ]
                    let payload = ContractCatalog.scheduleSchema(for: sample.function)
                    if check.contracts.validator.knows(payload), let data = json["data"] {
                        checks.append(
                            Check(
                                sample: name, schema: payload, instance: data,
                                expectedValid: sample.isInvalid ? nil : true))
                    }
                    return checks
                case .subscription:
                    var checks = [
                        Check(
                            sample: name, schema: ContractCatalog.cloudEventSchema, instance: json,
                            expectedValid: sample.isInvalid ? nil : true)
                    ]
                    if let type = json["type"]?.stringValue, let data = json["data"] {
                        checks.append(
                            Check(
                                sample: name, schema: ContractCatalog.dataSchema(for: type), instance: data,
                                expectedValid: sample.isInvalid ? nil : true))
                    }
                    return checks
                }
            }
    }

    @Test func everySampleValidatesAndEveryInvalidSampleFails() throws {
        let (registry, _, check) = try Self.project()
        #expect(try check.problems() == [])
        let samples = check.samples()
        for entry in registry.entries {
            #expect(samples.contains { $0.function == entry.name && !$0.isInvalid }, "\(entry.name) has a sample")
        }
        #expect(samples.filter(\.isInvalid).count >= 3)
        for sample in samples where sample.isInvalid {
            #expect(try !check.violations(of: sample).isEmpty, "\(sample.url.lastPathComponent) is invalid")
        }
    }

    @Test func theSwiftValidatorAgreesWithCheckJSONSchemaOnEverySample() throws {
        let (_, contracts, sampleCheck) = try Self.project()
        let checks = try Self.checks(sampleCheck)
        #expect(checks.count >= 33)
        let workspace = FileManager.default.temporaryDirectory.appendingPathComponent(
            "ticketing-contracts-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: workspace, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: workspace) }
        var files: [String: [(URL, Int)]] = [:]
        for (index, check) in checks.enumerated() {
            let url = workspace.appendingPathComponent("instance-\(index).json")
            try Data(try JSONCoding.string(check.instance).utf8).write(to: url)
            files[check.schema, default: []].append((url, index))
        }
        var pythonValid: [Int: Bool] = [:]
        for (schema, instances) in files {
            let schemaFile = contracts.directory.appendingPathComponent(
                String(schema.dropFirst(ContractCatalog.baseURI.count + 1)))
            let failing = try CheckJSONSchema.failingFiles(schema: schemaFile, instances: instances.map(\.0))
            for (url, index) in instances { pythonValid[index] = !failing.contains(url.path) }
        }
        var agreements = 0
        for (index, check) in checks.enumerated() {
            let swiftValid = try contracts.validator.validate(check.instance, against: check.schema).isEmpty
            #expect(
                pythonValid[index] == swiftValid,
                "\(check.sample) against \(check.schema): Swift \(swiftValid), check-jsonschema \(String(describing: pythonValid[index]))"
            )
            if let expected = check.expectedValid {
                #expect(swiftValid == expected, "\(check.sample) against \(check.schema)")
            }
            if pythonValid[index] == swiftValid { agreements += 1 }
        }
        #expect(agreements == checks.count)
        // Each invalid sample is rejected by both validators somewhere.
        for sample in Set(checks.filter { $0.sample.hasPrefix("invalid/") }.map(\.sample)) {
            let indices = checks.indices.filter { checks[$0].sample == sample }
            #expect(indices.contains { pythonValid[$0] == false }, "\(sample) rejected by check-jsonschema")
        }
    }

    @Test func everySchemaIsValidAgainstThe2020_12Metaschema() throws {
        let (_, contracts, _) = try Self.project()
        let files =
            FileManager.default.enumerator(at: contracts.directory, includingPropertiesForKeys: nil)?
            .compactMap { $0 as? URL }.filter { $0.pathExtension == "json" } ?? []
        #expect(files.count == contracts.validator.schemaIDs.count)
        let result = try CheckJSONSchema.run(["--check-metaschema"] + files.map(\.path))
        #expect(result.status == 0, "\(result.output)")
        for file in files {
            let schema = try JSONValue(parsing: try Data(contentsOf: file))
            #expect(
                schema["$schema"]?.stringValue == "https://json-schema.org/draft/2020-12/schema",
                "\(file.lastPathComponent)")
        }
    }
}

/// Python's check-jsonschema (PyPI), installed by scripts/setup: the reference implementation.
enum CheckJSONSchema {
    struct NotInstalled: Error, CustomStringConvertible {
        var description = "check-jsonschema is not on PATH: run scripts/setup (it installs it from PyPI)"
    }

    static func run(_ arguments: [String]) throws -> (status: Int32, output: String) {
        let path = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":")
            .map { URL(fileURLWithPath: String($0)).appendingPathComponent("check-jsonschema") }
            .first { FileManager.default.isExecutableFile(atPath: $0.path) }
        guard let path else { throw NotInstalled() }
        let completed = try ChildProcess.run(path.path, arguments)
        return (completed.status, completed.output + completed.error)
    }

    /// The instance files that fail `schema`; formats are annotations, as in 2020-12 by default.
    static func failingFiles(schema: URL, instances: [URL]) throws -> Set<String> {
        let result = try run(
            ["--disable-formats", "*", "--output-format", "json", "--schemafile", schema.path] + instances.map(\.path))
        guard let report = try? JSONValue(parsing: Data(result.output.utf8)),
            case .array(let errors)? = report["errors"]
        else {
            throw CheckJSONSchema.NotInstalled(description: "unexpected check-jsonschema output: \(result.output)")
        }
        if case .array(let parseErrors)? = report["parse_errors"], !parseErrors.isEmpty {
            throw CheckJSONSchema.NotInstalled(description: "check-jsonschema could not parse: \(result.output)")
        }
        return Set(errors.compactMap { $0["filename"]?.stringValue })
    }
}
