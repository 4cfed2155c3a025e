import ArgumentParser
import Foundation
import FunctionKit
import Runtime

/// `ticketing invoke`: runs one function on one JSON event.
struct Invoke: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run one function on one JSON event and print its result.",
        discussion: """
            HTTP functions take an API Gateway HTTP API v2 event and print the v2 response; event functions take \
            a CloudEvent (or just its data) and print the outcome. What the function published or scheduled goes \
            to stderr, or into the one JSON object of --output json. Exits 0 whenever the function ran.
            """)

    enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
        case text, json
    }

    @Argument(help: "The function's name, e.g. tickets-create.")
    var function: String

    @Option(help: ArgumentHelp("The event: a file, or - for standard input.", valueName: "file|-"))
    var event: String

    @Option(help: ArgumentHelp("Sign the HTTP event in as this user (by e-mail).", valueName: "email"))
    var user: String?

    @Option(help: "text: result on stdout, effects on stderr; json: one object with both.")
    var output: OutputFormat = .text

    @OptionGroup var project: ProjectOptions

    func run() async throws {
        let data = try EventInput.read(event)
        let report = try await LocalProject.with(project) { try await invoke(data, in: $0) }
        switch output {
        case .json:
            print(try JSONCoding.string(report, pretty: true))
        case .text:
            print(try report.resultJSON())
            for line in report.effectLines {
                FileHandle.standardError.write(Data((line + "\n").utf8))
            }
        }
    }

    private func invoke(_ data: Data, in local: LocalProject) async throws -> InvocationReport {
        guard let entry = local.registry.entry(named: function) else {
            throw InvocationError.unknownFunction(function, known: local.registry.entries.map(\.name))
        }
        let report: InvocationReport
        switch entry.handler {
        case .http:
            var request = try EventInput.httpRequest(data, source: event)
            if let user {
                request.headers["authorization"] = "Bearer \(try await UserSessions.token(for: user, project: local))"
            }
            let result = try await local.invoker.invoke(http: function, request: request)
            report = InvocationReport(
                function: function, response: result.response, outcome: nil, effects: result.effects)
        case .subscription(let subject, _):
            let cloudEvent = try EventInput.cloudEvent(
                data, source: event, subject: subject.rawValue, now: local.invoker.clock.now)
            let result = try await local.invoker.invoke(event: function, event: cloudEvent)
            try refuseRejected(result.outcome)
            report = InvocationReport(
                function: function, response: nil, outcome: result.outcome, effects: result.effects)
        case .schedule:
            let cloudEvent = try EventInput.cloudEvent(
                data, source: event, subject: "schedule:\(function)", now: local.invoker.clock.now)
            let result = try await local.invoker.invoke(event: function, event: cloudEvent)
            try refuseRejected(result.outcome)
            report = InvocationReport(
                function: function, response: nil, outcome: result.outcome, effects: result.effects)
        }
        return report
    }

    /// An event the function cannot take as it is counts as invalid input: one line, non-zero exit.
    private func refuseRejected(_ outcome: EventOutcome) throws {
        if case .rejected(let message) = outcome {
            throw CommandError("event \(EventInput.name(event)) rejected by \(function): \(message)")
        }
    }
}
