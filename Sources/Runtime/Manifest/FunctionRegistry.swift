import Contracts
import FunctionKit

/// The compiled handlers joined with their declarations in functions.yaml.
///
/// Built only when the two agree: every declared function has a handler of the declared kind, every
/// handler is declared, routes are unique, and every subscribed subject has a schema.
public struct FunctionRegistry: Sendable {
    /// One function: its declaration and its handler.
    public struct Entry: Sendable {
        /// The declaration in functions.yaml.
        public let declaration: Manifest.Function
        /// The handler.
        public let handler: FunctionHandler

        /// The function's name.
        public var name: String { declaration.name }
        /// The owning service.
        public var service: String { declaration.service }
    }

    /// The manifest.
    public let manifest: Manifest
    /// The services, by name.
    public let services: [String: ServiceDefinition]
    /// The functions, in manifest order.
    public let entries: [Entry]
    private let byName: [String: Entry]
    private let routes: RouteTable

    /// Joins `services` with `manifest`, or throws a ``ManifestError`` listing every disagreement.
    public init(
        services: [ServiceDefinition], manifest: Manifest, manifestPath: String = "functions.yaml",
        knownSubjects: Set<String>? = nil
    ) throws {
        let problems = Self.problems(
            services: services, manifest: manifest, knownSubjects: knownSubjects ?? Set(Subject.all.map(\.rawValue)))
        guard problems.isEmpty else { throw ManifestError(path: manifestPath, problems: problems) }
        var handlers: [String: FunctionHandler] = [:]
        for service in services {
            for function in service.functions { handlers[function.name] = function.handler }
        }
        self.manifest = manifest
        self.services = Dictionary(services.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        self.entries = manifest.functions.compactMap { declaration in
            handlers[declaration.name].map { Entry(declaration: declaration, handler: $0) }
        }
        self.byName = Dictionary(entries.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        self.routes = RouteTable(entries)
    }

    /// The function called `name`.
    public func entry(named name: String) -> Entry? {
        byName[name]
    }

    /// How many attempts an event or timer for `name` gets before it is dead-lettered: the function's own
    /// `retries`, else the manifest's, else the default; at least one.
    public func attempts(of name: String) -> Int {
        max(1, entry(named: name)?.declaration.retries ?? manifest.settings.retries ?? Manifest.defaultRetries)
    }

    /// The seconds `name`'s handler may run: the function's own `timeout`, else the manifest's, else the
    /// default.
    public func timeout(of name: String) -> Double {
        entry(named: name).map(timeout(of:)) ?? manifest.settings.timeout ?? Manifest.defaultTimeout
    }

    /// The seconds `entry`'s handler may run (as ``timeout(of:)-(String)``, without looking the entry up again).
    public func timeout(of entry: Entry) -> Double {
        entry.declaration.timeout ?? manifest.settings.timeout ?? Manifest.defaultTimeout
    }

    /// The HTTP function whose route matches `method` and `path`, with the path's parameters.
    public func route(method: String, path: String) -> (entry: Entry, route: Route, parameters: [String: String])? {
        routes.match(method: method, path: path)
    }

    /// The page that answers a request no route matches (``Manifest/NotFoundPage``), with its route, when
    /// the manifest declares one and it applies to this request.
    public func notFoundPage(method: String, path: String, accept: String?) -> (entry: Entry, route: Route)? {
        guard let page = manifest.settings.notFound, page.answers(method: method, path: path, accept: accept),
            let entry = entry(named: page.function), case .http(let route) = entry.declaration.trigger
        else { return nil }
        return (entry, route)
    }

    /// Every disagreement between the compiled services and the manifest, one sentence each.
    public static func problems(services: [ServiceDefinition], manifest: Manifest, knownSubjects: Set<String>)
        -> [String]
    {
        var problems: [String] = []
        var compiled: [String: (service: String, handler: FunctionHandler)] = [:]
        for service in services {
            for function in service.functions {
                if compiled[function.name] != nil {
                    problems.append("handler '\(function.name)' is compiled in twice")
                }
                compiled[function.name] = (service.name, function.handler)
            }
        }
        for service in services where service.name == DeliveryTables.database {
            problems.append("service name '\(service.name)' is reserved for the runtime's own database")
        }
        var declared: Set<String> = []
        var routes: [String: String] = [:]
        for function in manifest.functions {
            guard declared.insert(function.name).inserted else {
                problems.append("function '\(function.name)' is declared twice")
                continue
            }
            if !isKebabCase(function.name) {
                problems.append("function '\(function.name)': names are kebab-case, like tickets-create")
            }
            if !function.name.hasPrefix(function.service + "-") {
                problems.append("function '\(function.name)': name must start with its service '\(function.service)-'")
            }
            switch function.trigger {
            case .http(let route):
                if let other = routes[route.shape] {
                    problems.append("route \(route) of '\(function.name)' is already declared by '\(other)'")
                } else {
                    routes[route.shape] = function.name
                }
            case .subscription(let subject):
                if !knownSubjects.contains(subject) {
                    problems.append("function '\(function.name)' subscribes to '\(subject)', which has no schema")
                }
            case .schedule:
                break
            }
            guard let (service, handler) = compiled[function.name] else {
                problems.append("function '\(function.name)' is declared but has no handler")
                continue
            }
            if service != function.service {
                problems.append(
                    "function '\(function.name)' is declared in service '\(function.service)' but its handler belongs to '\(service)'"
                )
            }
            switch (function.trigger, handler) {
            case (.http, .http), (.schedule, .schedule):
                break
            case (.subscription(let subject), .subscription(let handled, _)):
                if subject != handled.rawValue {
                    problems.append(
                        "function '\(function.name)' subscribes to '\(subject)' but its handler takes '\(handled)' events"
                    )
                }
            default:
                problems.append(
                    "function '\(function.name)' is declared as \(kind(of: function.trigger)) but its handler is \(handler.kind)"
                )
            }
        }
        for name in compiled.keys.sorted() where !declared.contains(name) {
            problems.append("handler '\(name)' has no declaration in the manifest")
        }
        if let page = manifest.settings.notFound {
            problems += notFoundProblems(page, manifest: manifest, handler: compiled[page.function]?.handler)
        }
        return problems
    }

    /// What is wrong with `settings.notFound` against the declarations and the handlers.
    private static func notFoundProblems(
        _ page: Manifest.NotFoundPage, manifest: Manifest, handler: FunctionHandler?
    ) -> [String] {
        guard let declaration = manifest.function(named: page.function) else {
            return ["settings: notFound names '\(page.function)', which is not declared"]
        }
        guard case .http(let route) = declaration.trigger, route.method == "GET",
            !route.path.contains("{")
        else {
            return ["settings: notFound function '\(page.function)' must be declared on a GET route without parameters"]
        }
        if let handler, !handler.answersHTML {
            return ["settings: notFound function '\(page.function)' must answer HTML"]
        }
        return []
    }

    private static func kind(of trigger: Manifest.Trigger) -> TriggerKind {
        switch trigger {
        case .http: .http
        case .subscription: .subscription
        case .schedule: .schedule
        }
    }

    private static func isKebabCase(_ name: String) -> Bool {
        let words = name.split(separator: "-", omittingEmptySubsequences: false)
        return words.count >= 2
            && words.allSatisfy { word in
                guard let first = word.first, first.isASCII, first.isLowercase else { return false }
                return word.allSatisfy { $0.isASCII && ($0.isLowercase || $0.isNumber) }
            }
    }
}
