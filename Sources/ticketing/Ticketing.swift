import ArgumentParser

/// The `ticketing` command line.
@main
struct Ticketing: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ticketing",
        abstract: "Build, run and test the Ticketing marketplace as standalone serverless functions.",
        version: "0.1.0",
        subcommands: [
            Serve.self, FunctionCommand.self, DispatcherCommand.self, GatewayCommand.self, Invoke.self,
            EventsCommand.self, Validate.self, DeployCommand.self,
            OpenAPI.self,
        ])
}
