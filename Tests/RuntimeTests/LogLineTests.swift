import Logging
import Testing

@testable import Runtime

/// The log line `serve` writes for every request (and every other line), in swift-log's `StreamLogHandler` format.
@Suite struct LogLineTests {
    static func text(
        time: String, level: Logger.Level, label: String, metadata: Logger.Metadata, source: String, message: String
    ) -> String {
        String(
            decoding: StandardErrorLogHandler.line(
                time: time, level: level, label: label, metadata: metadata, source: source, message: message),
            as: UTF8.self)
    }

    @Test func aLineHasTimeLevelLabelSortedMetadataSourceAndMessage() {
        let line = Self.text(
            time: "2026-12-06T03:00:00+0000", level: .info, label: "ticketing.serve",
            metadata: ["request": "r-1", "function": "tickets-show", "component": .stringConvertible(7)],
            source: "Runtime", message: "GET /api/tickets/t1 200 0.4ms")
        #expect(
            line
                == "2026-12-06T03:00:00+0000 info ticketing.serve: component=7 function=tickets-show request=r-1"
                + " [Runtime] GET /api/tickets/t1 200 0.4ms\n")
    }

    @Test func aLineWithoutLabelOrMetadataKeepsTheRest() {
        let line = Self.text(
            time: "T", level: .warning, label: "", metadata: [:], source: "Runtime", message: "m")
        #expect(line == "T warning: [Runtime] m\n")
    }
}
