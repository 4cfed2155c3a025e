import Foundation
import FunctionKit

/// Reads the event a command was given: a file path, or `-` for standard input.
enum EventInput {
    /// The event's bytes; `sampleOf` names the function whose sample `source` is, for the error's sake.
    static func read(_ source: String, sampleOf function: String? = nil) throws -> Data {
        if source == "-" {
            return FileHandle.standardInput.readDataToEndOfFile()
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: source, isDirectory: &isDirectory), !isDirectory.boolValue,
            let handle = FileHandle(forReadingAtPath: source), let data = try? handle.readToEnd()
        else {
            if let function {
                throw CommandError("\(function) has no sample event at '\(source)': pass --event <file|->")
            }
            throw CommandError("cannot read event file '\(source)'")
        }
        return data
    }

    static func name(_ source: String) -> String {
        source == "-" ? "standard input" : "'\(source)'"
    }

    /// Parses an API Gateway v2 request event.
    static func httpRequest(_ data: Data, source: String) throws -> HTTPRequest {
        let json = try parse(data, source: source)
        do {
            return try json.decode(as: HTTPRequest.self)
        } catch let error as DecodingError {
            throw CommandError("event \(name(source)) is not an API Gateway v2 HTTP event: \(error.summary)")
        }
    }

    /// Parses a CloudEvent; a JSON object without `specversion` is taken as the event's `data` and wrapped.
    static func cloudEvent(_ data: Data, source: String, subject: String, now: Date) throws -> CloudEvent {
        let json = try parse(data, source: source)
        guard case .object(let members) = json else {
            throw CommandError("event \(name(source)) must be a JSON object")
        }
        if members["specversion"] == nil {
            return CloudEvent(
                id: UUID.random().lowercasedString, source: "/ticketing/cli", type: subject, time: now.iso8601,
                data: json)
        }
        do {
            return try json.decode(as: CloudEvent.self)
        } catch let error as DecodingError {
            throw CommandError("event \(name(source)) is not a CloudEvent: \(error.summary)")
        }
    }

    private static func parse(_ data: Data, source: String) throws -> JSONValue {
        do {
            return try JSONValue(parsing: data)
        } catch {
            throw CommandError("event \(name(source)) is not valid JSON")
        }
    }
}
