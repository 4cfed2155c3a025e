import ArgumentParser
import Foundation
import FunctionKit
import Hummingbird
import Logging
import Runtime

/// `ticketing gateway`: the HTTP front of a deployment with one container per function (SPEC §9).
struct GatewayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gateway",
        abstract: "Route the API's HTTP requests to the containers that serve each function.",
        discussion: """
            Matches each request against the manifest's routes and forwards it to its function's URL \
            (--function-url name=url, repeatable, or FUNCTION_URLS "name=url,name=url"); every HTTP function \
            needs one. Unknown routes answer 404 (a browser asking for a page gets the manifest's notFound page from \
            its function), an unreachable function 502. Listens on $PORT (default 8080) \
            at 0.0.0.0; stops gracefully on SIGINT or SIGTERM.
            """)

    @OptionGroup var functions: FunctionURLOptions

    @OptionGroup var listen: ListenOptions

    @OptionGroup var project: ProjectOptions

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        let port = try listen.resolvedPort(environment)
        let local = try await LocalProject.open(project)
        await local.close()
        let routed = local.registry.entries.filter {
            if case .http = $0.declaration.trigger { true } else { false }
        }.map(\.name)
        let urls = try functions.urls(environment: environment, needed: routed)
        var logger = Logger(label: "ticketing.gateway")
        logger.logLevel = try Settings.logLevel(environment, default: .info)
        Serve.say(RouteTable(registry: local.registry).text)
        let proxy = FunctionProxy(
            registry: local.registry, urls: urls, bodyLimit: listen.bodyLimit, metrics: .shared, logger: logger)
        let host = listen.host
        let application = Application(
            responder: proxy,
            configuration: ApplicationConfiguration(address: .hostname(host, port: port), serverName: "ticketing"),
            onServerRunning: { channel in
                Serve.say("listening on http://\(host):\(channel.localAddress?.port ?? port)")
            },
            logger: logger)
        try await application.runService()
    }
}
