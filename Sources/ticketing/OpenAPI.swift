import ArgumentParser
import FunctionKit
import Runtime

/// `ticketing openapi`: prints the OpenAPI 3.1 document of the HTTP API.
struct OpenAPI: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "openapi", abstract: "Print the OpenAPI 3.1 document derived from functions.yaml and the schemas.")

    @OptionGroup var project: ProjectOptions

    func run() async throws {
        let manifest = try Manifest.load(path: project.manifest)
        let contracts = try ContractCatalog.load(directory: project.schemasDirectory)
        let document = try OpenAPIDocument.make(
            manifest: manifest, contracts: contracts, version: Ticketing.configuration.version, pages: Services.pages)
        print(document.prettyPrinted)
    }
}
