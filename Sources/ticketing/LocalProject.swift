import Foundation
import FunctionKit
import Logging
import Runtime
import Synchronization

/// The project opened for local work: manifest checked against the handlers, storage under the data
/// directory, sessions signed with the local key.
struct LocalProject {
    let manifest: Manifest
    let registry: FunctionRegistry
    let invoker: Invoker
    let storage: any StorageEngine
    /// The schemas, read when first needed (at once unless the project was opened for one invocation).
    let contracts: LazyContracts
    /// How the services were configured.
    let configuration: Services.Configuration
    /// Where spans go when an OTLP endpoint is configured.
    let spans: SpanExport?

    /// Opens the project. `localDevelopment` (the default) generates a session key in the data directory when
    /// `JWT_KEY` is unset and issues cookies without `Secure`; container mode passes `false`. The schemas are
    /// read at once, so a long-running process stops at start on a broken one, unless `readingContractsLater`
    /// (one invocation, which may need none of them).
    /// `metrics` records the invocations and the database pools (`nil` for a command that ends without being
    /// scraped: making the Prometheus series costs millions of instructions a start).
    static func open(
        _ options: ProjectOptions, clock: any WallClock = SystemClock(), localDevelopment: Bool = true,
        readingContractsLater: Bool = false, metrics: RuntimeMetrics? = .shared
    ) async throws -> LocalProject {
        try LoggingSystem.bootstrapOnce()
        let logger = Logger(label: "ticketing")
        let manifest = try Manifest.load(path: options.manifest)
        let contracts = LazyContracts(directory: options.schemasDirectory)
        if !readingContractsLater { _ = try contracts.catalog() }
        let environment = ProcessInfo.processInfo.environment
        let configuration = try Services.Configuration.from(environment)
        let registry = try FunctionRegistry(
            services: Services.all(configuration), manifest: manifest,
            manifestPath: options.manifest,
            knownSubjects: try LazyContracts.subjects(in: options.schemasDirectory))
        let key = try SessionKey.resolve(
            environment: environment, dataDirectory: options.dataDirectory, localDevelopment: localDevelopment)
        let sessions = try await SessionCodec(key: key, secureCookies: !localDevelopment)
        let storage = try StorageSelection.engine(
            environment: environment, dataDirectory: options.dataDirectory, logger: logger, metrics: metrics)
        let (tracer, spans) = try SpanExport.start(environment, logger: logger)
        let invoker = Invoker(
            registry: registry, storage: storage, sessions: sessions, clock: clock, logger: logger,
            lazyContracts: contracts, metrics: metrics, tracer: tracer)
        // The pages call the API: through the gateway when API_URL names one (a page in its own container),
        // else the functions of this process, in-process.
        if let base = environment["API_URL"], !base.isEmpty {
            guard let url = URL(string: base), url.scheme == "http" || url.scheme == "https", url.host != nil else {
                throw CommandError("API_URL must be an http(s)://host:port URL, not '\(base)'")
            }
            let remote = RemoteAPI(base: url)
            configuration.api.bind { try await remote.send($0) }
        } else {
            configuration.api.bind { try await invoker.route($0) }
        }
        return LocalProject(
            manifest: manifest, registry: registry, invoker: invoker, storage: storage, contracts: contracts,
            configuration: configuration, spans: spans)
    }

    /// Sends the spans not exported yet, then closes the databases.
    func close() async {
        await spans?.stop()
        await storage.shutdown()
    }

    /// Runs the long-lived `body` (a server, the delivery loops) while commits made by other runtimes on the
    /// same database ring this one's doorbells, so its delivery wakes at once; then closes the databases,
    /// whether or not `body` threw.
    func runWatchingCommits(_ body: () async throws -> Void) async throws {
        let commits = invoker.commits
        let storage = storage
        let watching = Task {
            await storage.watchCommits(
                published: { commits.published.ring() }, scheduled: { commits.scheduled.ring() })
        }
        let failure: (any Error)?
        do {
            try await body()
            failure = nil
        } catch {
            failure = error
        }
        watching.cancel()
        await watching.value
        await close()
        if let failure { throw failure }
    }

    /// Opens the project, runs `body`, and closes the databases whether or not `body` threw.
    static func with<T>(
        _ options: ProjectOptions, clock: any WallClock = SystemClock(), readingContractsLater: Bool = false,
        _ body: (LocalProject) async throws -> T
    ) async throws -> T {
        // A command that opens the project for one piece of work is never scraped: no metrics.
        let project = try await open(
            options, clock: clock, readingContractsLater: readingContractsLater, metrics: nil)
        do {
            let value = try await body(project)
            await project.close()
            return value
        } catch {
            await project.close()
            throw error
        }
    }
}

extension LoggingSystem {
    private static let bootstrapped = Mutex(false)

    /// Logs to stderr at `LOG_LEVEL` (default `warning`) in `LOG_FORMAT` (default `text`), once per process; a
    /// bad `LOG_LEVEL` or `LOG_FORMAT` is refused.
    static func bootstrapOnce() throws {
        let environment = ProcessInfo.processInfo.environment
        let level = try Settings.logLevel(environment, default: .warning)
        let format = try Settings.logFormat(environment)
        let first = bootstrapped.withLock { done in
            defer { done = true }
            return !done
        }
        guard first else { return }
        bootstrap { label in StandardErrorLogHandler(label: label, level: level, format: format) }
    }
}
