import ChildProcess
import Foundation

/// A `ticketing serve` process of the benchmarks: the real binary, on a free loopback port.
final class ServeProcess {
    let process: ChildProcess
    /// `http://127.0.0.1:<port>`.
    private(set) var base = ""

    /// Starts `binary serve` on `dataDirectory` with `environment` added, and waits until it listens.
    init(binary: URL, dataDirectory: URL, environment: [String: String] = [:]) throws {
        var variables = ProcessInfo.processInfo.environment
        variables["LOG_LEVEL"] = "warning"
        for (name, value) in environment { variables[name] = value }
        process = try ChildProcess(
            binary.path, ["serve", "--port", "0", "--host", "127.0.0.1", "--data-dir", dataDirectory.path],
            environment: variables, output: .pipe, error: .null)
        var text = ""
        while process.isRunning, let handle = process.output,
            !text.contains("listening on http://") || !text.hasSuffix("\n")
        {
            let chunk = handle.availableData
            if chunk.isEmpty { break }
            text += String(decoding: chunk, as: UTF8.self)
        }
        guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix("listening on http://") }) else {
            process.terminate()
            throw BenchFailure("serve did not start: \(text.suffix(500))")
        }
        base = String(line.dropFirst("listening on ".count))
    }

    /// The resident set size and its two parts: private memory (RssAnon) and pages of files, mostly the
    /// binary's code (RssFile), as /proc/<pid>/status gives them.
    var memory: String {
        let status = (try? String(contentsOfFile: "/proc/\(process.processIdentifier)/status", encoding: .utf8)) ?? ""
        func megabytes(_ field: String) -> String {
            let line = status.split(separator: "\n").first { $0.hasPrefix(field + ":") } ?? ""
            return Figure.number((line.split(separator: " ").compactMap { Double($0) }.first ?? 0) / 1024, 1)
        }
        return "\(megabytes("VmRSS")) MB (anon \(megabytes("RssAnon")), file \(megabytes("RssFile")))"
    }

    /// Stops the process with SIGINT, as a terminal would, and waits for it; one still running 10 s later
    /// is killed, and the report says so (a benchmark must not hang on it).
    func stop() {
        process.send(SIGINT)
        let deadline = Date().addingTimeInterval(10)
        while process.isRunning, Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        guard process.isRunning else { return }
        Swift.print("serve (pid \(process.processIdentifier)) did not stop within 10 s of SIGINT; killed")
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }
}

/// A benchmark that could not run, with why.
struct BenchFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
