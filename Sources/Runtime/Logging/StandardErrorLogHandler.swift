import Logging

/// Log lines on standard error in swift-log's `StreamLogHandler` format, with the logger's metadata rendered
/// only when a line is written. `StreamLogHandler` renders all of it again each time one key is set, and the
/// runtime sets one (the request or event id) on every invocation, most of which write no line at all.
public struct StandardErrorLogHandler: LogHandler {
    private var lines: StreamLogHandler
    /// The metadata, kept as set; handed to the stream as the line's own when one is written.
    public var metadata: Logger.Metadata = [:]

    /// A handler for the logger labelled `label`, writing lines at `level` and above.
    public init(label: String, level: Logger.Level) {
        lines = StreamLogHandler.standardError(label: label)
        lines.logLevel = level
    }

    public var logLevel: Logger.Level {
        get { lines.logLevel }
        set { lines.logLevel = newValue }
    }

    public var metadataProvider: Logger.MetadataProvider? {
        get { lines.metadataProvider }
        set { lines.metadataProvider = newValue }
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var event = event
        if !metadata.isEmpty {
            event.metadata = event.metadata.map { metadata.merging($0) { _, own in own } } ?? metadata
        }
        lines.log(event: event)
    }
}
