import Foundation
import FunctionKit
import Logging
import Synchronization

/// Log lines on standard error, in swift-log's `StreamLogHandler` format
/// (`<time> <level> <label>: <key=value …> [<source>] <message>`), made for a line per request:
///
/// - the logger's metadata is rendered only when a line is written (`StreamLogHandler` renders all of it again
///   each time one key is set, and the runtime sets the request or event id on every invocation);
/// - the time is formatted once a second, not once a line;
/// - each line is one `write(2)`, whole, without stdio's lock and flush around it.
///
/// Measured with `serve` at `LOG_LEVEL=info` (a line per request): GET throughput rose by a third.
///
/// With ``Format/json`` (`LOG_FORMAT=json`) each line is one JSON object instead: `time` (UTC, milliseconds),
/// `level`, `message`, `logger`, `source`, then every metadata key (`function`, `request` or `event`, …) at
/// the top level, which is what log collectors (CloudWatch, Cloud Logging, Loki) index.
public struct StandardErrorLogHandler: LogHandler {
    /// How lines are written.
    public enum Format: String, Sendable, CaseIterable {
        /// swift-log's `StreamLogHandler` line.
        case text
        /// One JSON object a line.
        case json
    }

    private let label: String
    private let format: Format
    public var logLevel: Logger.Level
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?

    /// A handler for the logger labelled `label`, writing lines at `level` and above.
    public init(
        label: String, level: Logger.Level, format: Format = .text, metadataProvider: Logger.MetadataProvider? = nil
    ) {
        self.label = label
        self.format = format
        self.logLevel = level
        self.metadataProvider = metadataProvider
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var merged: Logger.Metadata
        if metadata.isEmpty, metadataProvider == nil, event.error == nil {
            // The common line (an access-log line, say): the call's own metadata, nothing to merge.
            merged = event.metadata ?? [:]
        } else {
            merged = metadata
            if let provided = metadataProvider?.get(), !provided.isEmpty {
                merged.merge(provided) { _, provided in provided }
            }
            if let explicit = event.metadata, !explicit.isEmpty {
                merged.merge(explicit) { _, explicit in explicit }
            }
            if let error = event.error {
                merged["error.message"] = "\(error)"
                merged["error.type"] = "\(String(reflecting: type(of: error)))"
            }
        }
        switch format {
        case .text:
            Self.write(
                Self.line(
                    time: LogClock.shared.timestamp(), level: event.level, label: label, metadata: merged,
                    source: event.source, message: event.message.description))
        case .json:
            Self.write(
                Self.jsonLine(
                    time: LogClock.shared.utcTimestamp(), level: event.level, label: label, metadata: merged,
                    source: event.source, message: event.message.description))
        }
    }

    /// The fields every JSON line has; metadata under one of these names is written as `metadata.<name>`.
    static let jsonFields: Set<String> = ["time", "level", "message", "logger", "source"]

    /// One JSON object and a newline: the fixed fields, then the metadata by key.
    static func jsonLine(
        time: String, level: Logger.Level, label: String, metadata: Logger.Metadata, source: String, message: String
    ) -> [UInt8] {
        var line: [UInt8] = []
        line.reserveCapacity(time.utf8.count + label.utf8.count + source.utf8.count + message.utf8.count + 160)
        line += #"{"time":"#.utf8
        JSONText.appendQuoted(time, to: &line)
        line += #","level":"#.utf8
        JSONText.appendQuoted(level.rawValue, to: &line)
        line += #","message":"#.utf8
        JSONText.appendQuoted(message, to: &line)
        line += #","logger":"#.utf8
        JSONText.appendQuoted(label, to: &line)
        line += #","source":"#.utf8
        JSONText.appendQuoted(source, to: &line)
        for (key, value) in metadata.count < 2 ? Array(metadata) : metadata.sorted(by: { $0.key < $1.key }) {
            line.append(UInt8(ascii: ","))
            JSONText.appendQuoted(jsonFields.contains(key) ? "metadata." + key : key, to: &line)
            line.append(UInt8(ascii: ":"))
            appendJSON(value, to: &line)
        }
        line += "}\n".utf8
        return line
    }

    /// A metadata value as JSON: strings as strings, lists as arrays, dictionaries as objects (keys sorted).
    private static func appendJSON(_ value: Logger.MetadataValue, to line: inout [UInt8]) {
        switch value {
        case .string(let text): JSONText.appendQuoted(text, to: &line)
        case .stringConvertible(let convertible): JSONText.appendQuoted(convertible.description, to: &line)
        case .array(let values):
            line.append(UInt8(ascii: "["))
            for (index, item) in values.enumerated() {
                if index > 0 { line.append(UInt8(ascii: ",")) }
                appendJSON(item, to: &line)
            }
            line.append(UInt8(ascii: "]"))
        case .dictionary(let members):
            line.append(UInt8(ascii: "{"))
            for (index, member) in members.sorted(by: { $0.key < $1.key }).enumerated() {
                if index > 0 { line.append(UInt8(ascii: ",")) }
                JSONText.appendQuoted(member.key, to: &line)
                line.append(UInt8(ascii: ":"))
                appendJSON(member.value, to: &line)
            }
            line.append(UInt8(ascii: "}"))
        }
    }

    /// One line: `<time> <level> <label>: <key=value …, by key> [<source>] <message>` and a newline, as UTF-8
    /// bytes in one buffer grown once (appending the parts' bytes costs a fraction of appending strings).
    static func line(
        time: String, level: Logger.Level, label: String, metadata: Logger.Metadata, source: String, message: String
    ) -> [UInt8] {
        var line: [UInt8] = []
        line.reserveCapacity(time.utf8.count + label.utf8.count + source.utf8.count + message.utf8.count + 128)
        line += time.utf8
        line.append(space)
        line += level.rawValue.utf8
        if !label.isEmpty {
            line.append(space)
            line += label.utf8
        }
        line.append(UInt8(ascii: ":"))
        for (key, value) in metadata.count < 2 ? Array(metadata) : metadata.sorted(by: { $0.key < $1.key }) {
            line.append(space)
            line += key.utf8
            line.append(UInt8(ascii: "="))
            line += value.description.utf8
        }
        line.append(space)
        line.append(UInt8(ascii: "["))
        line += source.utf8
        line.append(UInt8(ascii: "]"))
        line.append(space)
        line += message.utf8
        line.append(UInt8(ascii: "\n"))
        return line
    }

    private static let space = UInt8(ascii: " ")

    /// Writes `line` to standard error in one call (a line at most a pipe's buffer long is never interleaved
    /// with another's), continuing after a partial write or an interruption.
    private static func write(_ line: [UInt8]) {
        line.withUnsafeBytes { bytes in
            guard var next = bytes.baseAddress else { return }
            var left = bytes.count
            while left > 0 {
                let written = Foundation.write(STDERR_FILENO, next, left)
                if written < 0 {
                    if errno == EINTR { continue }
                    return
                }
                next += written
                left -= written
            }
        }
    }
}

/// The local time as log lines show it (`2026-12-05T18:40:01+0000`), formatted once per second; and UTC with
/// milliseconds for JSON lines (`2026-12-05T18:40:01.042Z`), the second's part formatted once per second.
final class LogClock: Sendable {
    static let shared = LogClock()

    private let last = Mutex<(second: Int, text: String)>((-1, ""))
    private let lastUTC = Mutex<(second: Int, text: String)>((-1, ""))

    func utcTimestamp() -> String {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        let second = Int(now.tv_sec)
        let millis = Int(now.tv_nsec) / 1_000_000
        var prefix = lastUTC.withLock { $0.second == second ? $0.text : "" }
        if prefix.isEmpty {
            var seconds = now.tv_sec
            var parts = tm()
            guard gmtime_r(&seconds, &parts) != nil else { return "<unknown>" }
            var buffer = [CChar](repeating: 0, count: 64)
            let count = strftime(&buffer, buffer.count, "%Y-%m-%dT%H:%M:%S", &parts)
            prefix = String(decoding: buffer[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
            lastUTC.withLock { [prefix] in $0 = (second, prefix) }
        }
        let digits = String(millis)
        return prefix + "." + String(repeating: "0", count: 3 - digits.count) + digits + "Z"
    }

    func timestamp() -> String {
        var now = time(nil)
        let second = Int(now)
        if let text = last.withLock({ $0.second == second ? $0.text : nil }) { return text }
        var parts = tm()
        guard localtime_r(&now, &parts) != nil else { return "<unknown>" }
        var buffer = [CChar](repeating: 0, count: 64)
        let count = strftime(&buffer, buffer.count, "%Y-%m-%dT%H:%M:%S%z", &parts)
        let text = String(decoding: buffer[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        last.withLock { $0 = (second, text) }
        return text
    }
}
