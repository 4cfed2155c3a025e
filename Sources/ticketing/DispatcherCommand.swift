import ArgumentParser
import Foundation
import FunctionKit
import Hummingbird
import Logging
import Runtime
import ServiceLifecycle

/// `ticketing dispatcher`: delivery for functions deployed one per container (SPEC §9).
struct DispatcherCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dispatcher",
        abstract: "Deliver outbox events and due timers to functions running in their own containers.",
        discussion: """
            Reads every service's outbox and timers on the shared storage (DATABASE_URL for several \
            replicas) and POSTs each event to its function's URL as a binary-mode CloudEvent: 2xx is done; \
            408, 429, any other 5xx or no answer is retried with backoff, and dead-lettered once the \
            function's retries are used up; 503 with error code "deferred" is retried without using up an \
            attempt (bounded all the same); any other status is dead-lettered at once. Every subscription and schedule \
            target of the manifest needs a URL: --function-url name=url (repeatable) or FUNCTION_URLS \
            ("name=url,name=url"); a URL may be an SQS queue's (https://sqs.REGION.amazonaws.com/ACCOUNT/NAME, or \
            sqs+http(s):// for another SQS endpoint, in AWS_REGION), which gets the function's events as \
            structured CloudEvents through SendMessage, signed with AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or the \
            container credentials endpoint (the ticketing deploy sam deployment). With --sink or K_SINK (a Knative Broker, say), every event and due timer \
            goes there once instead, for the sink to route by its type. Stops gracefully on SIGINT or SIGTERM.
            """)

    @OptionGroup var functions: FunctionURLOptions

    @Option(
        help: ArgumentHelp(
            "Send every event and due timer here instead of to function URLs (default: $K_SINK).",
            valueName: "url"))
    var sink: String?

    @OptionGroup var delivery: ResyncOption

    @Option(
        help: ArgumentHelp(
            "Answer the health probes (/health, /health/live, /health/ready) and /metrics on this port (default: $PORT; "
                + "no listener when neither is set; 0 picks a free one).",
            valueName: "port"))
    var port: Int?

    @Option(help: "The address the probes listen on.")
    var host = "0.0.0.0"

    @OptionGroup var project: ProjectOptions

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        let local = try await LocalProject.open(project, localDevelopment: false)
        let registry = local.registry
        let targets = registry.entries.filter {
            if case .http = $0.declaration.trigger { false } else { true }
        }.map(\.name)
        let timeouts = Dictionary(targets.map { ($0, registry.timeout(of: $0) + 10) }, uniquingKeysWith: max)
        let remote: RemoteFunctions
        let routing: Dispatcher.Routing
        do {
            if let sink = try sinkURL(environment) {
                remote = try RemoteFunctions(sink: sink, timeouts: timeouts)
                routing = .sink(attempts: registry.attempts(of: Dispatcher.sinkConsumer))
            } else {
                remote = try RemoteFunctions(
                    urls: try functions.urls(environment: environment, needed: targets), timeouts: timeouts,
                    environment: environment)
                routing = .subscriptions
            }
        } catch {
            await local.close()
            throw error
        }
        try await local.invoker.prepare()
        if let sink = remote.sink {
            Serve.say("  every event and timer → \(sink.absoluteString)")
        } else {
            for name in targets { Serve.say("  \(name) → \(remote.urls[name]?.absoluteString ?? "")") }
        }
        Serve.say("storage: \(local.storage.description)")
        var logger = Logger(label: "ticketing.dispatcher")
        logger.logLevel = try Settings.logLevel(environment, default: .info)
        let target = remote.target
        let resync = delivery.duration
        let context = local.invoker.deliveryContext(target: target)
        let dispatcher = Dispatcher(context, routing: routing)
        let scheduler = Scheduler(context)
        dispatcher.report(to: .shared)
        scheduler.report(to: .shared)
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [
            .init(service: DeliveryService(dispatcher, resync: resync)),
            .init(service: DeliveryService(scheduler, resync: resync)),
        ]
        if port != nil || environment["PORT"] != nil {
            let limit = Serve.stallLimit(resync: resync, registry: registry)
            let probes = OperationsResponder(
                invoker: local.invoker,
                readiness: [dispatcher.readiness(limit: limit), scheduler.readiness(limit: limit)],
                metrics: .shared, logger: logger)
            let port = try Settings.port(port, environment: environment, default: 8080)
            let host = self.host
            services.append(
                .init(
                    service: Application(
                        responder: probes,
                        configuration: ApplicationConfiguration(
                            address: .hostname(host, port: port), serverName: "ticketing"),
                        onServerRunning: { channel in
                            let bound = channel.localAddress?.port ?? port
                            Serve.say("probes on http://\(host):\(bound)/health/ready")
                        },
                        logger: logger)))
        }
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await local.runWatchingCommits {
            Serve.say("dispatching")
            try await group.run()
        }
    }

    /// `--sink`, else `K_SINK`; `nil` when neither is set.
    private func sinkURL(_ environment: [String: String]) throws -> URL? {
        guard let text = sink ?? environment["K_SINK"].flatMap({ $0.isEmpty ? nil : $0 }) else { return nil }
        do {
            return try RemoteFunctions.parseSink(text)
        } catch {
            throw CommandError("\(error)")
        }
    }
}
