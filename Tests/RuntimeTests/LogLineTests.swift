import Foundation
import FunctionKit
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

    /// `LOG_FORMAT=json`: one object a line, the fixed fields first, metadata at the top level (nested values
    /// as JSON, a key that would shadow a fixed field renamed), everything escaped.
    @Test func aJSONLineIsOneObjectWithTheMetadataAtTheTopLevel() throws {
        let bytes = StandardErrorLogHandler.jsonLine(
            time: "2026-12-06T03:00:00.042Z", level: .info, label: "ticketing.serve",
            metadata: [
                "request": "r-1", "function": "tickets-show", "attempt": .stringConvertible(2),
                "tags": .array(["a", "b"]), "error": .dictionary(["type": "X", "message": "line\n\"two\""]),
                "message": "shadowed",
            ],
            source: "Runtime", message: "GET /api/tickets/t1 200 0.4ms")
        #expect(bytes.last == UInt8(ascii: "\n"))
        #expect(bytes.filter { $0 == UInt8(ascii: "\n") }.count == 1)
        let line = try JSONValue(parsing: Data(bytes))
        #expect(
            line
                == .object([
                    "time": .string("2026-12-06T03:00:00.042Z"), "level": .string("info"),
                    "message": .string("GET /api/tickets/t1 200 0.4ms"), "logger": .string("ticketing.serve"),
                    "source": .string("Runtime"), "request": .string("r-1"), "function": .string("tickets-show"),
                    "attempt": .string("2"), "tags": .array([.string("a"), .string("b")]),
                    "error": .object(["type": .string("X"), "message": .string("line\n\"two\"")]),
                    "metadata.message": .string("shadowed"),
                ]))
        #expect(String(decoding: bytes, as: UTF8.self).hasPrefix(#"{"time":"2026-12-06T03:00:00.042Z","level":"info""#))
    }

    @Test func theUTCTimestampHasMilliseconds() {
        let stamp = LogClock.shared.utcTimestamp()
        #expect(stamp.count == 24, "\(stamp)")
        #expect(stamp.hasSuffix("Z") && Array(stamp)[19] == ".", "\(stamp)")
    }

    @Test func aLineWithoutLabelOrMetadataKeepsTheRest() {
        let line = Self.text(
            time: "T", level: .warning, label: "", metadata: [:], source: "Runtime", message: "m")
        #expect(line == "T warning: [Runtime] m\n")
    }
}
