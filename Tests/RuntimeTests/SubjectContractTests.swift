import Auth
import Contracts
import Foundation
import FunctionKit
import FunctionTesting
import Runtime
import Testing
import Tickets

/// Every subject has a schema, a sample CloudEvent in `events/subjects/` that validates and decodes into its
/// payload type, and every consumer accepts every sample of the subjects it subscribes to.
@Suite struct SubjectContractTests {
    static let directory = ProjectFiles.events.appendingPathComponent("subjects")

    static func sample(_ subject: Subject) throws -> CloudEvent {
        let url = directory.appendingPathComponent("\(subject.dashed).json")
        return try JSONDecoder().decode(CloudEvent.self, from: try Data(contentsOf: url))
    }

    @Test(arguments: Subject.all)
    func everySubjectHasASchemaAndAValidSample(subject: Subject) throws {
        let contracts = try ContractCatalog.load(directory: ProjectFiles.schemas)
        #expect(contracts.hasSchema(forSubject: subject.rawValue))
        let event = try Self.sample(subject)
        #expect(event.type == subject.rawValue)
        #expect(event.dataschema == CloudEvent.schemaLocation(for: subject))
        #expect(try contracts.violations(of: event) == [])
        let type = try #require(PayloadTypes.type(of: subject))
        _ = try event.decodeData(as: type)
    }

    @Test func theSchemasCoverExactlyTheSubjectsOfTheContracts() throws {
        let contracts = try ContractCatalog.load(directory: ProjectFiles.schemas)
        #expect(contracts.subjects == Set(Subject.all.map(\.rawValue)))
        // What `invoke` reads from the file names alone, without parsing a schema, is the same.
        #expect(try LazyContracts.subjects(in: ProjectFiles.schemas) == contracts.subjects)
    }

    @Test func lazyContractsReadTheSchemasOnceWhenFirstAskedAndKeepAFailure() throws {
        let lazy = LazyContracts(directory: ProjectFiles.schemas)
        let event = try Self.sample(.ticketCreated)
        #expect(try lazy.catalog().violations(of: event) == [])
        #expect(
            try lazy.catalog().validator.schemaIDs
                == ContractCatalog.load(directory: ProjectFiles.schemas).validator.schemaIDs)
        let missing = LazyContracts(directory: ProjectFiles.schemas.appendingPathComponent("nowhere"))
        #expect(throws: SchemaValidator.SchemaError.self) { try missing.catalog() }
        #expect(throws: SchemaValidator.SchemaError.self) { try missing.catalog() }
    }

    @Test func aPayloadTypeChangeIsCaughtByItsSchema() throws {
        let contracts = try ContractCatalog.load(directory: ProjectFiles.schemas)
        var event = try Self.sample(.orderCreated)
        event.data = try JSONValue(encoding: ["id": "o1", "version": "zero"])
        let violations = try contracts.violations(of: event)
        #expect(
            violations.contains {
                $0.instancePath == "/data/version"
                    && $0.schemaPath.hasSuffix("order-created.json#/properties/version/type")
            })
        #expect(violations.contains { $0.message == "required property 'ticket' is missing" })
    }

    @Test func everyConsumerAcceptsEverySampleOfItsSubject() async throws {
        let services = [AuthService.definition(), TicketsService.definition(), Ledger.service]
        let manifest =
            try String(contentsOf: ProjectFiles.manifest, encoding: .utf8) + "\n"
            + Ledger.manifest.replacingOccurrences(of: "functions:\n", with: "")
        try await TestHarness.with(services: services, manifest: manifest) { harness in
            var deliveries = 0
            for entry in harness.invoker.registry.entries {
                guard case .subscription(let subject, _) = entry.handler else { continue }
                let result = try await harness.deliver(entry.name, try Self.sample(subject))
                if case .rejected(let message) = result.outcome {
                    Issue.record("\(entry.name) rejected the \(subject) sample: \(message)")
                }
                deliveries += 1
            }
            #expect(deliveries >= 1)
        }
    }

    @Test func theRuntimeRejectsAnIncomingEventThatBreaksItsSchema() async throws {
        try await TestHarness.with(services: [Ledger.service], manifest: Ledger.manifest) { harness in
            var event = try Self.sample(.ticketCreated)
            event.data = .object([
                "id": .string("t1"), "version": .number(0), "title": .string(""), "price": .number(-1),
                "userId": .string("u"),
            ])
            let result = try await harness.invoker.invoke(event: "ledger-on-ticket-created", event: event)
            guard case .rejected(let message) = result.outcome else {
                Issue.record("expected a rejection, got \(result.outcome)")
                return
            }
            #expect(message.contains("/data/title") && message.contains("/data/price"))
            let database = try await harness.invoker.database(for: "ledger")
            #expect(try await StorageTests.count("entries", in: database) == 0)
        }
    }
}
