import ArgumentParser
import Foundation
import Runtime

/// `ticketing validate`: checks manifest ↔ handlers ↔ schemas ↔ sample events.
struct Validate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check functions.yaml, the compiled handlers, the schemas and the sample events agree.",
        discussion: "Exits non-zero naming each problem.")

    @OptionGroup var project: ProjectOptions

    func run() async throws {
        let manifest = try Manifest.load(path: project.manifest)
        let contracts = try ContractCatalog.load(directory: project.schemasDirectory)
        let registry = try FunctionRegistry(
            services: Services.all(), manifest: manifest, manifestPath: project.manifest,
            knownSubjects: contracts.subjects)
        let check = SampleCheck(registry: registry, contracts: contracts, directory: project.eventsDirectory)
        let problems = try check.problems()
        guard problems.isEmpty else {
            throw ManifestError(path: project.manifest, problems: problems)
        }
        let samples = check.samples()
        print(
            "\(project.manifest): \(manifest.functions.count) functions match the compiled handlers; "
                + "\(contracts.validator.schemaIDs.count) schemas; \(samples.filter { !$0.isInvalid }.count) samples valid, "
                + "\(samples.filter(\.isInvalid).count) invalid samples rejected")
    }
}
