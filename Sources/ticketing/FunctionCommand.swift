import ArgumentParser
import Foundation
import FunctionKit
import Hummingbird
import Logging
import Runtime

/// `ticketing function <name>`: container mode, serving exactly one function over HTTP (SPEC §9).
struct FunctionCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "function",
        abstract: "Container mode: serve exactly one function on $PORT (the Knative / Cloud Run contract).",
        discussion: """
            An HTTP function answers on its route; an event function takes CloudEvents over HTTP on POST / in \
            binary or structured mode (200: handled or duplicate; 400: malformed or rejected, do not retry; \
            500: failed, retry; 503 with error code "deferred": waiting for an earlier event, retry later \
            without counting an attempt; 413: too large). Both answer GET /health. What the function publishes stays in its \
            service's outbox for a dispatcher. JWT_KEY is required. Stops gracefully on SIGINT or SIGTERM.
            """)

    @Argument(help: "The function to serve (default: $FUNCTION).", completion: FunctionNameCompletion.kind)
    var name: String?

    @OptionGroup var listen: ListenOptions

    @OptionGroup var project: ProjectOptions

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        if let endpoint = environment["AWS_LAMBDA_RUNTIME_API"], !endpoint.isEmpty {
            try await runOnLambda(endpoint: endpoint, environment: environment)
            return
        }
        let name = try functionName(environment)
        let port = try listen.resolvedPort(environment)
        let local = try await LocalProject.open(project, localDevelopment: false)
        var logger = Logger(label: "ticketing.function")
        logger.logLevel = try Settings.logLevel(environment, default: .info)
        let server: FunctionServer
        let service: String
        do {
            server = try FunctionServer(
                function: name, invoker: local.invoker, bodyLimit: listen.bodyLimit, metrics: .shared, logger: logger)
            service = local.registry.entry(named: name)?.service ?? ""
            _ = try await local.invoker.database(for: service)
        } catch {
            await local.close()
            throw CommandError("\(error)")
        }
        let trigger = local.registry.entry(named: name).map { "\($0.declaration.trigger)" } ?? ""
        Serve.say("function: \(name) (\(service), \(trigger))")
        Serve.say("storage: \(local.storage.description)")
        let host = listen.host
        let application = Application(
            responder: server,
            configuration: ApplicationConfiguration(address: .hostname(host, port: port), serverName: "ticketing"),
            onServerRunning: { channel in
                let bound = channel.localAddress?.port ?? port
                Serve.say("listening on http://\(host):\(bound)")
            },
            logger: logger)
        do {
            try await application.runService()
        } catch {
            await local.close()
            throw error
        }
        await local.close()
    }

    /// The Lambda Runtime API loop for the function named by the argument, `FUNCTION` or `_HANDLER` (the
    /// handler Lambda is configured with). A function that cannot start is reported to `/runtime/init/error`.
    private func runOnLambda(endpoint: String, environment: [String: String]) async throws {
        var environment = environment
        if environment["FUNCTION"] == nil { environment["FUNCTION"] = environment["_HANDLER"] }
        // The log handler is chosen once per process (LOG_FORMAT, AWS_LAMBDA_LOG_FORMAT); a logger made before
        // that would keep the default one.
        var logger = Logger(label: "ticketing.lambda")
        do {
            try LoggingSystem.bootstrapOnce()
            logger = Logger(label: "ticketing.lambda")
            logger.logLevel = try Settings.logLevel(environment, default: .info)
        } catch {
            await LambdaRuntime.reportInitError(endpoint: endpoint, message: "\(error)")
            throw error
        }
        let local: LocalProject
        let runtime: LambdaRuntime
        do {
            let name = try functionName(environment)
            local = try await LocalProject.open(project, localDevelopment: false)
            guard let entry = local.registry.entry(named: name) else {
                await local.close()
                throw CommandError("unknown function '\(name)'")
            }
            do {
                _ = try await local.invoker.database(for: entry.service)
                runtime = try LambdaRuntime(endpoint: endpoint, function: name, invoker: local.invoker, logger: logger)
            } catch {
                await local.close()
                throw error
            }
        } catch {
            await LambdaRuntime.reportInitError(endpoint: endpoint, message: "\(error)")
            throw CommandError("\(error)")
        }
        Serve.say("lambda: \(runtime.function) against \(runtime.api.absoluteString)")
        do {
            try await runtime.run()
        } catch {
            await local.close()
            throw CommandError("\(error)")
        }
        await local.close()
    }

    /// The function to serve: the argument, else `FUNCTION`.
    private func functionName(_ environment: [String: String]) throws -> String {
        if let name, !name.isEmpty { return name }
        guard let name = environment["FUNCTION"]?.trimmingCharacters(in: .whitespaces), !name.isEmpty else {
            throw CommandError("FUNCTION is not set: name the function to serve (ticketing function <name>)")
        }
        return name
    }
}
