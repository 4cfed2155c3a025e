import ArgumentParser
import Foundation
import Runtime

/// `ticketing validate`: checks functions.yaml against the compiled handlers.
struct Validate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check functions.yaml against the compiled handlers; exits non-zero naming each problem.")

    @Option(help: ArgumentHelp("The functions manifest.", valueName: "path"))
    var manifest = "functions.yaml"

    func run() async throws {
        let loaded = try Manifest.load(path: manifest)
        _ = try FunctionRegistry(services: Services.all(), manifest: loaded, manifestPath: manifest)
        let routes = loaded.functions.filter { if case .http = $0.trigger { true } else { false } }.count
        print("\(manifest): \(loaded.functions.count) functions (\(routes) HTTP routes) match the compiled handlers")
    }
}
