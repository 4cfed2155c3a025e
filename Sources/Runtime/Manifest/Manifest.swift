import Foundation
import FunctionKit

/// functions.yaml: every function, its service and its trigger, plus settings.
public struct Manifest: Sendable, Equatable {
    /// Settings that apply to every function unless it overrides them.
    public struct Settings: Codable, Sendable, Equatable {
        /// Seconds a handler may run.
        public var timeout: Double?
        /// Delivery attempts before an event is dead-lettered.
        public var retries: Int?
        /// The page a browser gets for a path no route matches, if any.
        public var notFound: NotFoundPage?

        /// Creates settings.
        public init(timeout: Double? = nil, retries: Int? = nil, notFound: NotFoundPage? = nil) {
            self.timeout = timeout
            self.retries = retries
            self.notFound = notFound
        }
    }

    /// What makes a function run.
    public enum Trigger: Sendable, Equatable, CustomStringConvertible {
        /// An HTTP route.
        case http(Route)
        /// An event subscription to a subject.
        case subscription(String)
        /// A schedule target, invoked at times handlers ask for.
        case schedule

        /// The route, for an HTTP trigger.
        public var route: Route? {
            guard case .http(let route) = self else { return nil }
            return route
        }

        public var description: String {
            switch self {
            case .http(let route): "http \(route)"
            case .subscription(let subject): "subscribe \(subject)"
            case .schedule: "schedule"
            }
        }
    }

    /// One declared function.
    public struct Function: Sendable, Equatable {
        /// The function's name, e.g. `tickets-create`.
        public var name: String
        /// The owning service.
        public var service: String
        /// The trigger.
        public var trigger: Trigger
        /// Seconds the handler may run, overriding the global setting.
        public var timeout: Double?
        /// Delivery attempts, overriding the global setting.
        public var retries: Int?
    }

    /// Global settings.
    public var settings: Settings
    /// The functions, in file order.
    public var functions: [Function]

    /// The declaration of `name`.
    public func function(named name: String) -> Function? {
        functions.first { $0.name == name }
    }

    /// The defaults used when the manifest does not say.
    public static let defaultTimeout = 30.0
    public static let defaultRetries = 8
    /// The longest `timeout` a function may declare, in seconds (as on AWS Lambda).
    public static let maximumTimeout = 900.0

    /// Whether `timeout` is a usable number of seconds: positive, finite, at most ``maximumTimeout``.
    static func isValid(timeout: Double) -> Bool {
        timeout > 0 && timeout <= maximumTimeout
    }
}

/// Why functions.yaml could not be read.
public struct ManifestError: Error, CustomStringConvertible, Sendable {
    /// The file.
    public var path: String
    /// What is wrong.
    public var problems: [String]

    /// Creates an error about the file at `path`.
    public init(path: String, problems: [String]) {
        self.path = path
        self.problems = problems
    }

    public var description: String {
        problems.count == 1
            ? "\(path): \(problems[0])"
            : "\(path): \(problems.count) problems:\n" + problems.map { "  - \($0)" }.joined(separator: "\n")
    }
}

extension Manifest {
    /// Reads and checks the file at `path` on its own (not yet against the compiled handlers).
    public static func load(path: String) throws -> Manifest {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ManifestError(
                path: path, problems: ["cannot read the file (use --manifest to point at functions.yaml)"])
        }
        return try parse(String(decoding: data, as: UTF8.self), path: path)
    }

    /// Parses and checks manifest text; `path` names it in errors.
    public static func parse(_ text: String, path: String = "functions.yaml") throws -> Manifest {
        let file: ManifestFile
        do {
            file = try ManifestFile(parsing: text)
        } catch let error as ManifestFile.Mismatch {
            throw ManifestError(path: path, problems: ["not a valid manifest: \(error)"])
        } catch {
            throw ManifestError(path: path, problems: ["not valid YAML: \(error)"])
        }
        var problems: [String] = []
        var functions: [Function] = []
        for (index, entry) in (file.functions ?? []).enumerated() {
            guard let name = entry.name, !name.isEmpty else {
                problems.append("functions[\(index)] has no name")
                continue
            }
            guard let service = entry.service, !service.isEmpty else {
                problems.append("function '\(name)' has no service")
                continue
            }
            let triggers = [entry.http != nil, entry.subscribe != nil, entry.schedule == true].filter { $0 }.count
            guard triggers == 1 else {
                problems.append("function '\(name)' must have exactly one trigger (http, subscribe or schedule)")
                continue
            }
            var trigger = Trigger.schedule
            if let http = entry.http {
                do {
                    trigger = .http(try Route(parsing: http))
                } catch {
                    problems.append("function '\(name)': \(error)")
                    continue
                }
            } else if let subject = entry.subscribe {
                trigger = .subscription(subject)
            }
            if let timeout = entry.timeout, !Self.isValid(timeout: timeout) {
                problems.append(
                    "function '\(name)': timeout must be a number of seconds above 0 and at most \(Int(Self.maximumTimeout))"
                )
            }
            if let retries = entry.retries, retries < 0 {
                problems.append("function '\(name)': retries must not be negative")
            }
            functions.append(
                Function(name: name, service: service, trigger: trigger, timeout: entry.timeout, retries: entry.retries)
            )
        }
        if let timeout = file.settings?.timeout, !Self.isValid(timeout: timeout) {
            problems.append(
                "settings: timeout must be a number of seconds above 0 and at most \(Int(Self.maximumTimeout))")
        }
        if let retries = file.settings?.retries, retries < 0 {
            problems.append("settings: retries must not be negative")
        }
        if let notFound = file.settings?.notFound {
            problems += notFound.problems
        }
        if functions.isEmpty && problems.isEmpty {
            problems.append("declares no functions")
        }
        guard problems.isEmpty else { throw ManifestError(path: path, problems: problems) }
        return Manifest(settings: file.settings ?? Settings(), functions: functions)
    }
}
