import Yams

/// functions.yaml as written, read from libyaml's node tree by hand: Yams' `Decodable` path costs several
/// times the parse (dynamic casts at every key) and its default resolver compiles regular expressions, and
/// every command that starts reads this file.
struct ManifestFile {
    /// One entry of `functions`, each field as written.
    struct Entry {
        var name: String?
        var service: String?
        var http: String?
        var subscribe: String?
        var schedule: Bool?
        var timeout: Double?
        var retries: Int?
    }

    var settings: Manifest.Settings?
    var functions: [Entry]?

    /// A field that is not of the type it must be, named by its path.
    struct Mismatch: Error, CustomStringConvertible {
        var path: String
        var expected: String
        var description: String { "\(path): expected \(expected)" }
    }

    /// Reads `text`; throws a YAML error for text that is not YAML, ``Mismatch`` for a field of the wrong type.
    init(parsing text: String) throws {
        // No implicit typing: every scalar stays text, and each field converts its own; no constructor maps
        // (the tree is read here, never turned into `Any`), and the text is UTF-8.
        guard let root = try Yams.compose(yaml: text, Resolver.basic, Constructor([:], [:], [:]), .utf8) else {
            return
        }
        let file = try Self.mapping(root, "the top level")
        if let settings = file["settings"], !Self.isNull(settings) {
            let fields = try Self.mapping(settings, "settings")
            var notFound: Manifest.NotFoundPage?
            if let page = fields["notFound"], !Self.isNull(page) {
                let pageFields = try Self.mapping(page, "settings.notFound")
                guard let function = try Self.string(pageFields["function"], "settings.notFound.function") else {
                    throw Mismatch(path: "settings.notFound.function", expected: "a function name")
                }
                var except: [String]?
                if let list = pageFields["except"], !Self.isNull(list) {
                    except = try Self.sequence(list, "settings.notFound.except").enumerated().map { index, item in
                        guard let prefix = try Self.string(item, "settings.notFound.except[\(index)]") else {
                            throw Mismatch(path: "settings.notFound.except[\(index)]", expected: "String")
                        }
                        return prefix
                    }
                }
                notFound = Manifest.NotFoundPage(function: function, except: except)
            }
            self.settings = Manifest.Settings(
                timeout: try Self.double(fields["timeout"], "settings.timeout"),
                retries: try Self.int(fields["retries"], "settings.retries"), notFound: notFound)
        }
        if let list = file["functions"], !Self.isNull(list) {
            functions = try Self.sequence(list, "functions").enumerated().map { index, item in
                try Self.entry(item, "functions[\(index)]")
            }
        }
    }

    /// One function's fields, each key looked at once (a mapping's subscript compares every key each time).
    private static func entry(_ node: Node, _ path: String) throws -> Entry {
        var entry = Entry()
        for (key, value) in try mapping(node, path) {
            guard let name = key.scalar?.string else { continue }
            switch name {
            case "name": entry.name = try string(value, "\(path).name")
            case "service": entry.service = try string(value, "\(path).service")
            case "http": entry.http = try string(value, "\(path).http")
            case "subscribe": entry.subscribe = try string(value, "\(path).subscribe")
            case "schedule": entry.schedule = try bool(value, "\(path).schedule")
            case "timeout": entry.timeout = try double(value, "\(path).timeout")
            case "retries": entry.retries = try int(value, "\(path).retries")
            default: continue
            }
        }
        return entry
    }

    private static func mapping(_ node: Node, _ path: String) throws -> Node.Mapping {
        guard let mapping = node.mapping else { throw Mismatch(path: path, expected: "a mapping") }
        return mapping
    }

    private static func sequence(_ node: Node, _ path: String) throws -> Node.Sequence {
        guard let sequence = node.sequence else { throw Mismatch(path: path, expected: "a list") }
        return sequence
    }

    /// Whether `node` is YAML's null: `~`, `null` or nothing, unquoted.
    private static func isNull(_ node: Node) -> Bool {
        guard let scalar = node.scalar, scalar.style == .plain || scalar.style == .any else { return false }
        return ["", "~", "null", "Null", "NULL"].contains(scalar.string)
    }

    /// A scalar that is not null, unquoted or not.
    private static func text(_ node: Node?, _ path: String, _ expected: String) throws -> Node.Scalar? {
        guard let node, !isNull(node) else { return nil }
        guard let scalar = node.scalar else { throw Mismatch(path: path, expected: expected) }
        return scalar
    }

    private static func string(_ node: Node?, _ path: String) throws -> String? {
        try text(node, path, "String")?.string
    }

    /// An unquoted number, YAML's `.inf` and `.nan` included.
    private static func double(_ node: Node?, _ path: String) throws -> Double? {
        guard let scalar = try text(node, path, "Double") else { return nil }
        let plain = scalar.style == .plain || scalar.style == .any
        let special: [String: Double] = [
            ".inf": .infinity, "+.inf": .infinity, "-.inf": -.infinity, ".nan": .nan,
        ]
        guard plain, let value = special[scalar.string.lowercased()] ?? Double(scalar.string) else {
            throw Mismatch(path: path, expected: "Double")
        }
        return value
    }

    private static func int(_ node: Node?, _ path: String) throws -> Int? {
        guard let scalar = try text(node, path, "Int") else { return nil }
        guard scalar.style == .plain || scalar.style == .any, let value = Int(scalar.string) else {
            throw Mismatch(path: path, expected: "Int")
        }
        return value
    }

    /// `true` or `false` (YAML 1.1's `yes`, `no`, `on` and `off` too), unquoted.
    private static func bool(_ node: Node?, _ path: String) throws -> Bool? {
        guard let scalar = try text(node, path, "Bool") else { return nil }
        guard scalar.style == .plain || scalar.style == .any else { throw Mismatch(path: path, expected: "Bool") }
        switch scalar.string.lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default: throw Mismatch(path: path, expected: "Bool")
        }
    }
}
