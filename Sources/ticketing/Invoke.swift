import ArgumentParser
import Foundation
import FunctionKit
import Runtime

/// `ticketing invoke`: runs one function on one JSON event.
struct Invoke: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "invoke",
        abstract: "Run one function on one JSON event and print its result.",
        discussion: """
            HTTP functions take an API Gateway HTTP API v2 event and print the v2 response; event functions take \
            a CloudEvent (or just its data) and print the outcome. What the function published or scheduled goes \
            to stderr, or into the one JSON object of --output json. Exits 0 whenever the function ran.

            --follow also delivers what the invocation published, what that published in turn, and so on, and \
            prints the cascade as a tree. --advance or --until move this invocation's clock forward (not the \
            real one), firing scheduled invocations as they fall due on the way.

            --url sends the event to the function running at URL instead: a container-mode `ticketing function` \
            (an HTTP function gets the request the event describes; an event function the CloudEvent, binary \
            mode) or a Lambda Runtime Interface Emulator \
            (http://host:port/2015-03-31/functions/function/invocations). What it publishes stays in its own \
            outbox, for its dispatcher.
            """)

    enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
        case text, json
    }

    @Argument(help: "The function's name, e.g. tickets-create.", completion: FunctionNameCompletion.kind)
    var function: String

    @Option(
        help: ArgumentHelp(
            "The event: a file, or - for standard input (default: the function's sample, events/<function>.json).",
            valueName: "file|-"))
    var event: String?

    @Option(help: ArgumentHelp("Sign the HTTP event in as this user (by e-mail).", valueName: "email"))
    var user: String?

    @Option(help: "text: result on stdout, effects on stderr; json: one object with both.")
    var output: OutputFormat = .text

    @Flag(help: "Also run the cascade the invocation causes, and print it as a tree.")
    var follow = false

    @Option(
        help: ArgumentHelp(
            "Follow, moving the clock forward by this much (e.g. 900, 90s, 15m, 1h).", valueName: "duration"))
    var advance: String?

    @Option(help: ArgumentHelp("Follow, moving the clock forward to this ISO 8601 time.", valueName: "time"))
    var until: String?

    @Option(
        help: ArgumentHelp(
            "Send the event to the function running at this URL (a container, or a Lambda emulator).",
            valueName: "url"))
    var url: String?

    @OptionGroup var project: ProjectOptions

    func validate() throws {
        if advance != nil && until != nil { throw ValidationError("pass --advance or --until, not both") }
        if let advance, Self.seconds(advance) == nil {
            throw ValidationError("--advance takes a duration like 900, 90s, 15m or 1h, not '\(advance)'")
        }
        if let until, Date.parseISO8601(until) == nil {
            throw ValidationError("--until takes an ISO 8601 time like 2026-01-01T00:15:00Z, not '\(until)'")
        }
        if let url {
            guard let parsed = URL(string: url), ["http", "https"].contains(parsed.scheme?.lowercased() ?? ""),
                parsed.host?.isEmpty == false
            else { throw ValidationError("--url takes an http(s)://host:port URL, not '\(url)'") }
            if follow || advance != nil || until != nil {
                throw ValidationError(
                    "--url runs the function elsewhere: its cascade is its dispatcher's (no --follow, --advance, --until)"
                )
            }
        }
    }

    /// The event's source: `--event`, else the function's sample beside the manifest.
    private var source: String {
        event ?? project.eventsDirectory.appendingPathComponent("\(function).json").path
    }

    func run() async throws {
        // Standard input is read before the project opens; a sample only once the function is known.
        let given = try event.map { try EventInput.read($0) }
        let clock = ManualClock(Date())
        let following = follow || advance != nil || until != nil
        let remote = url.flatMap(URL.init(string:)).map { RemoteInvoker(url: $0) }
        let (report, tree) = try await LocalProject.with(project, clock: clock, readingContractsLater: true) {
            local -> (InvocationReport, CascadeTree?) in
            let report = try await invoke(given, in: local, remote: remote)
            guard following else { return (report, nil) }
            let cascade = Cascade(invoker: local.invoker)
            var target: Date?
            if let advance, let seconds = Self.seconds(advance) { target = clock.now.addingTimeInterval(seconds) }
            if let until { target = Date.parseISO8601(until) }
            let pass: DeliveryPass
            if let target {
                pass = try await cascade.advance(clock, to: target)
            } else {
                pass = try await cascade.settle()
            }
            return (report, CascadeTree(effects: report.effects, deliveries: pass.deliveries))
        }
        switch output {
        case .json:
            var report = report
            report.cascade = tree
            print(try JSONCoding.string(report, pretty: true))
        case .text:
            print(try report.resultJSON())
            var lines = tree?.lines(root: report.summary) ?? report.effectLines
            // Every invocation of the cascade continues the first one's trace.
            if tree != nil, let trace = report.traceId { lines.insert("trace \(trace)", at: 0) }
            for line in lines {
                FileHandle.standardError.write(Data((line + "\n").utf8))
            }
        }
    }

    /// Seconds in `text`: a number, optionally with `ms`, `s`, `m`, `h` or `d`.
    static func seconds(_ text: String) -> TimeInterval? {
        let units: [(String, Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600), ("d", 86400)]
        for (suffix, factor) in units where text.hasSuffix(suffix) {
            guard let value = Double(text.dropLast(suffix.count)), value >= 0, value.isFinite else { return nil }
            return value * factor
        }
        guard let value = Double(text), value >= 0, value.isFinite else { return nil }
        return value
    }

    private func invoke(_ given: Data?, in local: LocalProject, remote: RemoteInvoker?) async throws
        -> InvocationReport
    {
        guard let entry = local.registry.entry(named: function) else {
            throw InvocationError.unknownFunction(function, known: local.registry.entries.map(\.name))
        }
        let data = try given ?? EventInput.read(source, sampleOf: function)
        if user != nil, entry.declaration.trigger.route == nil {
            throw CommandError(UserSessions.eventFunctionRefusal(function))
        }
        let report: InvocationReport
        switch entry.handler {
        case .http:
            var request = try EventInput.httpRequest(data, source: source)
            if let user {
                request.headers["authorization"] = "Bearer \(try await UserSessions.token(for: user, project: local))"
            }
            if let remote {
                // Sent with a trace context (a new trace unless the event has one), so its lines can be found.
                let trace = Invoker.trace(of: request) ?? .newTrace()
                if Invoker.trace(of: request) == nil { request.headers["traceparent"] = trace.traceparent }
                let sent = request
                return InvocationReport(
                    function: function, response: try await remoteResult { try await remote.invoke(http: sent) },
                    outcome: nil, effects: [], trace: trace)
            }
            let result = try await local.invoker.invoke(http: function, request: request)
            report = InvocationReport(
                function: function, response: result.response, outcome: nil, effects: result.effects,
                trace: result.trace)
        case .subscription(let subject, _):
            let cloudEvent = try EventInput.cloudEvent(
                data, source: source, subject: subject.rawValue, now: local.invoker.clock.now)
            if let remote { return try await invokeRemotely(cloudEvent, on: remote) }
            let result = try await local.invoker.invoke(event: function, event: cloudEvent)
            try refuseRejected(result.outcome)
            report = InvocationReport(
                function: function, response: nil, outcome: result.outcome, effects: result.effects,
                trace: result.trace)
        case .schedule:
            let cloudEvent = try EventInput.cloudEvent(
                data, source: source, subject: "schedule:\(function)", now: local.invoker.clock.now)
            if let remote { return try await invokeRemotely(cloudEvent, on: remote) }
            let result = try await local.invoker.invoke(event: function, event: cloudEvent)
            try refuseRejected(result.outcome)
            report = InvocationReport(
                function: function, response: nil, outcome: result.outcome, effects: result.effects,
                trace: result.trace)
        }
        return report
    }

    /// Sends `event` to the function at `remote`; its effects stay there.
    private func invokeRemotely(_ event: CloudEvent, on remote: RemoteInvoker) async throws -> InvocationReport {
        var event = event
        if event.trace == nil {
            let trace = TraceContext.newTrace()
            event.traceparent = trace.traceparent
            event.tracestate = nil
        }
        let sent = event
        let outcome = try await remoteResult { try await remote.invoke(event: sent) }
        try refuseRejected(outcome)
        return InvocationReport(function: function, response: nil, outcome: outcome, effects: [], trace: event.trace)
    }

    /// What `body` answered; a function that could not be reached or answered nonsense is one line.
    private func remoteResult<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let failure as RemoteInvoker.Failure {
            throw CommandError("\(function) at \(url ?? ""): \(failure)")
        }
    }

    /// An event the function cannot take as it is counts as invalid input: one line, non-zero exit.
    private func refuseRejected(_ outcome: EventOutcome) throws {
        if case .rejected(let message) = outcome {
            throw CommandError("event \(EventInput.name(source)) rejected by \(function): \(message)")
        }
    }
}
