import ArgumentParser
import Foundation
import FunctionKit
import Hummingbird
import Logging
import Runtime

/// `ticketing serve`: the local runtime's HTTP gateway over every HTTP function of functions.yaml.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the local runtime: HTTP gateway, event delivery and scheduler for functions.yaml.",
        discussion: """
            Routes HTTP requests to HTTP functions, delivers every published event to its subscribers (retrying \
            failures, dead-lettering what keeps failing) and fires scheduled invocations when they fall due. \
            Stops gracefully on SIGINT or SIGTERM: in-flight requests and deliveries finish first. With --watch, \
            rebuilds on every change to Sources/, Package.swift, the manifest or events/ and swaps the new build \
            in on the same port (requests arriving meanwhile wait for it; none is refused); a failed build prints \
            the compiler's errors while the last good build keeps serving; templates and assets are read from \
            disk, so changing them needs no rebuild.
            """)

    @Option(help: "The port to listen on (default: $PORT or 3000; 0 picks a free one).")
    var port: Int?

    @Option(help: "The address to listen on.")
    var host = "127.0.0.1"

    @Option(name: .customLong("body-limit"), help: "The largest request body accepted, in bytes.")
    var bodyLimit = Gateway.defaultBodyLimit

    @Flag(help: "Rebuild and swap in the new build on every change to the project's files.")
    var watch = false

    @OptionGroup var delivery: ResyncOption

    @OptionGroup var project: ProjectOptions

    func run() async throws {
        let port = try resolvedPort()
        if watch { return try await runWatching(port: port) }
        ParentWatch.start(ProcessInfo.processInfo.environment)
        let local = try await LocalProject.open(project)
        try await local.invoker.prepare()
        var logger = Logger(label: "ticketing.gateway")
        logger.logLevel = try Settings.logLevel(ProcessInfo.processInfo.environment, default: .info)
        Self.say(RouteTable(registry: local.registry).text)
        Self.say("storage: \(local.storage.description)")
        Self.say(local.configuration.stripeDescription)
        let openAPI = try OpenAPIDocument.make(
            manifest: local.manifest, contracts: try local.contracts.catalog(),
            version: Ticketing.configuration.version,
            pages: Services.pages)
        let host = self.host
        let resync = delivery.duration
        let context = local.invoker.deliveryContext()
        let dispatcher = Dispatcher(context)
        let scheduler = Scheduler(context)
        let stallLimit = Self.stallLimit(resync: resync, registry: local.registry)
        dispatcher.report(to: .shared)
        scheduler.report(to: .shared)
        let gateway = Gateway(
            invoker: local.invoker, bodyLimit: bodyLimit, openAPI: openAPI,
            readiness: [dispatcher.readiness(limit: stallLimit), scheduler.readiness(limit: stallLimit)],
            metrics: .shared, logger: logger)
        let application = Application(
            responder: gateway,
            configuration: ApplicationConfiguration(address: .hostname(host, port: port), serverName: "ticketing"),
            services: [DeliveryService(dispatcher, resync: resync), DeliveryService(scheduler, resync: resync)],
            onServerRunning: { channel in
                let bound = channel.localAddress?.port ?? port
                Self.say("listening on http://\(host):\(bound)")
            },
            logger: logger)
        // Commits by other runtimes on the same PostgreSQL database wake delivery at once.
        try await local.runWatchingCommits { try await application.runService() }
    }

    /// How long the delivery loops may go without moving before `GET /health/ready` calls them stalled: a
    /// resync interval, the longest handler's timeout (a pass waits for one invocation at a time), and 30
    /// seconds to spare.
    static func stallLimit(resync: Duration, registry: FunctionRegistry) -> TimeInterval {
        let longest = registry.entries.map { registry.timeout(of: $0.name) }.max() ?? 0
        return Double(resync.components.seconds) + longest + 30
    }

    /// Writes a line to stdout at once (not buffered), so that whoever started `serve` sees it.
    static func say(_ line: String) {
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }

    private func resolvedPort() throws -> Int {
        try Settings.port(port, environment: ProcessInfo.processInfo.environment, default: 3000)
    }
}

/// The route and subscription tables `serve` prints on start.
struct RouteTable {
    let registry: FunctionRegistry

    var text: String {
        var lines = ["routes:"]
        for entry in registry.entries {
            if case .http(let route) = entry.declaration.trigger {
                lines.append(
                    "  \(route.method.padding(toLength: 7, withPad: " ", startingAt: 0))\(route.path.padding(toLength: 32, withPad: " ", startingAt: 0)) → \(entry.name)"
                )
            }
        }
        let subscriptions = registry.entries.compactMap { entry -> String? in
            guard case .subscription(let subject) = entry.declaration.trigger else { return nil }
            return "  \(subject.padding(toLength: 24, withPad: " ", startingAt: 0)) → \(entry.name)"
        }
        lines.append("subscriptions:" + (subscriptions.isEmpty ? " none" : ""))
        lines += subscriptions
        let targets = registry.entries.compactMap { entry -> String? in
            guard case .schedule = entry.declaration.trigger else { return nil }
            return "  \(entry.name)"
        }
        lines.append("schedule targets:" + (targets.isEmpty ? " none" : ""))
        lines += targets
        return lines.joined(separator: "\n")
    }
}
