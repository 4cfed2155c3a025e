import Logging

extension Settings {
    /// `LOG_LEVEL`: the least severe level logged, `default` when unset. Takes swift-log's levels (`trace`,
    /// `debug`, `info`, `notice`, `warning`, `error`, `critical`) in any case, and `warn` for `warning`.
    static func logLevel(_ environment: [String: String], default level: Logger.Level) throws -> Logger.Level {
        guard let text = environment["LOG_LEVEL"] else { return level }
        let name = text.trimmingCharacters(in: .whitespaces).lowercased()
        if name == "warn" { return .warning }
        guard let parsed = Logger.Level(rawValue: name) else {
            let names = Logger.Level.allCases.map(\.rawValue).joined(separator: ", ")
            throw CommandError("LOG_LEVEL must be one of \(names) (or warn), not '\(text)'")
        }
        return parsed
    }

    /// The port to listen on: `option` (from `--port`), else `PORT`, else `fallback`; either must be 0-65535.
    static func port(_ option: Int?, environment: [String: String], default fallback: Int) throws -> Int {
        if let option {
            guard (0...65535).contains(option) else {
                throw CommandError("--port must be a port number (0-65535), not '\(option)'")
            }
            return option
        }
        guard let text = environment["PORT"] else { return fallback }
        guard let value = Int(text), (0...65535).contains(value) else {
            throw CommandError("PORT must be a port number (0-65535), not '\(text)'")
        }
        return value
    }
}
