import ArgumentParser
import Foundation
import FunctionKit
import Runtime

/// `ticketing events …`: work with sample events.
struct EventsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "events", abstract: "Work with events and dead letters.",
        subcommands: [Generate.self, Dead.self, Redrive.self, Waiting.self])
}

/// `ticketing events generate`: prints a ready-to-edit sample event for a function.
struct Generate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Print a ready-to-edit sample event for a function.",
        discussion: """
            HTTP functions get an API Gateway v2 event for their route; event functions get a CloudEvent of \
            their subject. The body (or data), and each path parameter not given with --path, default to the \
            function's sample in events/ when there is one.
            """)

    @Argument(help: "The function's name, e.g. tickets-show.", completion: FunctionNameCompletion.kind)
    var function: String

    @Option(help: ArgumentHelp("The JSON body (HTTP) or data (events).", valueName: "json"))
    var body: String?

    @Option(name: .customLong("path"), help: ArgumentHelp("A path parameter (repeatable).", valueName: "name=value"))
    var pathParameters: [String] = []

    @Option(name: .customLong("query"), help: ArgumentHelp("A query parameter (repeatable).", valueName: "name=value"))
    var queryParameters: [String] = []

    @Option(name: .customLong("header"), help: ArgumentHelp("A request header (repeatable).", valueName: "name=value"))
    var headers: [String] = []

    @Option(help: ArgumentHelp("Sign the event in as this user (by e-mail).", valueName: "email"))
    var user: String?

    @OptionGroup var project: ProjectOptions

    func run() async throws {
        let given = try body.map { text -> JSONValue in
            guard let value = try? JSONValue(parsing: Data(text.utf8)) else {
                throw CommandError("--body is not valid JSON")
            }
            return value
        }
        let event = try await LocalProject.with(project) { local -> JSONValue in
            guard let entry = local.registry.entry(named: function) else {
                throw InvocationError.unknownFunction(function, known: local.registry.entries.map(\.name))
            }
            let sample = SampleEvents(directory: project.projectDirectory.appendingPathComponent("events"))
            if user != nil, entry.declaration.trigger.route == nil {
                throw CommandError(UserSessions.eventFunctionRefusal(function))
            }
            switch entry.declaration.trigger {
            case .http(let route):
                var request = try httpEvent(
                    route: route, body: given ?? sample.httpBody(for: function),
                    samplePathParameters: sample.pathParameters(for: function))
                if let user {
                    request.headers["authorization"] =
                        "Bearer \(try await UserSessions.token(for: user, project: local))"
                }
                return try JSONValue(encoding: request)
            case .subscription(let subject):
                return try JSONValue(
                    encoding: cloudEvent(
                        type: subject, data: given ?? sample.eventData(for: function), now: local.invoker.clock.now))
            case .schedule:
                return try JSONValue(
                    encoding: cloudEvent(
                        type: "schedule:\(function)", data: given ?? sample.eventData(for: function),
                        now: local.invoker.clock.now))
            }
        }
        print(try JSONCoding.string(event, pretty: true))
    }

    private func httpEvent(route: Route, body: JSONValue?, samplePathParameters: [String: String]) throws
        -> HTTPRequest
    {
        let parameters = try pairs(pathParameters, option: "--path").merging(samplePathParameters) { given, _ in given }
        let missing = route.segments.compactMap { segment -> String? in
            if case .parameter(let name) = segment, parameters[name] == nil { name } else { nil }
        }
        guard missing.isEmpty else {
            throw CommandError(
                "route \(route) needs \(missing.map { "--path \($0)=<value>" }.joined(separator: " ")) "
                    + "(events/\(function).json has no sample for it)")
        }
        let query = try pairs(queryParameters, option: "--query")
        var headerValues = try pairs(headers, option: "--header")
        let bodyText = try body.map { try JSONCoding.string($0) }
        if bodyText != nil, headerValues["content-type"] == nil {
            headerValues["content-type"] = "application/json"
        }
        return HTTPRequest(
            method: route.method, path: route.path(filling: parameters), routeKey: route.routeKey,
            rawQueryString: QueryString.encode(query),
            headers: headerValues,
            queryStringParameters: query, pathParameters: parameters, body: bodyText, userAgent: "ticketing-cli")
    }

    private func cloudEvent(type: String, data: JSONValue?, now: Date) -> CloudEvent {
        CloudEvent(
            id: UUID.random().lowercasedString, source: "/ticketing/cli", type: type, time: now.iso8601,
            data: data ?? .object([:]))
    }

    private func pairs(_ values: [String], option: String) throws -> [String: String] {
        var result: [String: String] = [:]
        for value in values {
            let parts = value.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.count == 2, !parts[0].isEmpty else {
                throw CommandError("\(option) takes name=value, not '\(value)'")
            }
            result[option == "--header" ? parts[0].lowercased() : String(parts[0])] = String(parts[1])
        }
        return result
    }
}

/// The sample events kept in `events/`, used as defaults for generated events.
struct SampleEvents {
    let directory: URL

    /// The body of `events/<function>.json`, when it is an HTTP event with a JSON body.
    func httpBody(for function: String) -> JSONValue? {
        guard let event = load(function), let request = try? event.decode(as: HTTPRequest.self),
            let data = request.bodyData, !data.isEmpty
        else { return nil }
        return try? JSONValue(parsing: data)
    }

    /// The path parameters of `events/<function>.json`, when it is an HTTP event.
    func pathParameters(for function: String) -> [String: String] {
        guard let event = load(function), let request = try? event.decode(as: HTTPRequest.self) else { return [:] }
        return request.pathParameters
    }

    /// The data of `events/<function>.json`, when it is a CloudEvent.
    func eventData(for function: String) -> JSONValue? {
        load(function)?["data"]
    }

    private func load(_ function: String) -> JSONValue? {
        FileManager.default.contents(atPath: directory.appendingPathComponent("\(function).json").path)
            .flatMap { try? JSONValue(parsing: $0) }
    }
}
