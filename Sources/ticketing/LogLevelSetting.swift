import Logging
import Runtime

extension Settings {
    /// `LOG_LEVEL`: the least severe level logged, `default` when unset. Takes swift-log's levels (`trace`,
    /// `debug`, `info`, `notice`, `warning`, `error`, `critical`) in any case, and `warn` for `warning`.
    /// On Lambda, `AWS_LAMBDA_LOG_LEVEL` (`TRACE`, `DEBUG`, `INFO`, `WARN`, `ERROR`, `FATAL`) stands in for an
    /// unset `LOG_LEVEL`.
    static func logLevel(_ environment: [String: String], default level: Logger.Level) throws -> Logger.Level {
        if environment["LOG_LEVEL"] == nil, let lambda = environment["AWS_LAMBDA_LOG_LEVEL"] {
            let levels: [String: Logger.Level] = [
                "TRACE": .trace, "DEBUG": .debug, "INFO": .info, "WARN": .warning, "ERROR": .error, "FATAL": .critical,
            ]
            guard let parsed = levels[lambda.trimmingCharacters(in: .whitespaces).uppercased()] else {
                throw CommandError(
                    "AWS_LAMBDA_LOG_LEVEL must be one of TRACE, DEBUG, INFO, WARN, ERROR, FATAL, not '\(lambda)'")
            }
            return parsed
        }
        guard let text = environment["LOG_LEVEL"] else { return level }
        let name = text.trimmingCharacters(in: .whitespaces).lowercased()
        if name == "warn" { return .warning }
        guard let parsed = Logger.Level(rawValue: name) else {
            let names = Logger.Level.allCases.map(\.rawValue).joined(separator: ", ")
            throw CommandError("LOG_LEVEL must be one of \(names) (or warn), not '\(text)'")
        }
        return parsed
    }

    /// `LOG_FORMAT`: `text` (the default) or `json`, in any case; on Lambda, `AWS_LAMBDA_LOG_FORMAT` (`Text`,
    /// `JSON`) stands in for an unset `LOG_FORMAT`.
    static func logFormat(_ environment: [String: String]) throws -> StandardErrorLogHandler.Format {
        let (name, text) =
            environment["LOG_FORMAT"].map { ("LOG_FORMAT", $0) }
            ?? environment["AWS_LAMBDA_LOG_FORMAT"].map { ("AWS_LAMBDA_LOG_FORMAT", $0) } ?? ("", "text")
        let value = text.trimmingCharacters(in: .whitespaces).lowercased()
        guard let format = StandardErrorLogHandler.Format(rawValue: value) else {
            throw CommandError("\(name) must be text or json, not '\(text)'")
        }
        return format
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
