import ChildProcess
import Foundation

/// What `wrk` measured for one URL.
struct LoadResult {
    var requestsPerSecond: Double
    /// How many requests were answered in all.
    var requests: Int
    var p50: String
    var p99: String
    var non2xx: Int
}

/// Drives a URL with `wrk` (Debian's package; `scripts/bench` installs it) from a second process.
enum Load {
    static let wrk = ["/usr/bin/wrk", "/usr/local/bin/wrk"].first { FileManager.default.isExecutableFile(atPath: $0) }

    /// Runs wrk against `url` for `seconds`, with an optional Lua script (for POST bodies and headers).
    static func run(_ url: String, seconds: Int = 5, connections: Int = 16, script: String? = nil) throws -> LoadResult?
    {
        guard let process = try start(url, seconds: seconds, connections: connections, script: script) else {
            return nil
        }
        return process.finish()
    }

    /// `first` and `second` driven in turns, `rounds` times each for `seconds`; each one's median round (by
    /// requests per second).
    static func alternating(_ first: String, _ second: String, rounds: Int = 3, seconds: Int = 4, script: String? = nil)
        throws -> (LoadResult?, LoadResult?)
    {
        var firsts: [LoadResult] = []
        var others: [LoadResult] = []
        for _ in 0..<rounds {
            if let result = try run(first, seconds: seconds, script: script) { firsts.append(result) }
            if let result = try run(second, seconds: seconds, script: script) { others.append(result) }
        }
        func median(_ results: [LoadResult]) -> LoadResult? {
            let sorted = results.sorted { $0.requestsPerSecond < $1.requestsPerSecond }
            return sorted.isEmpty ? nil : sorted[sorted.count / 2]
        }
        return (median(firsts), median(others))
    }

    /// wrk running against `url`, to be finished with ``RunningLoad/finish()``.
    static func start(_ url: String, seconds: Int = 5, connections: Int = 16, script: String? = nil) throws
        -> RunningLoad?
    {
        guard let wrk else { return nil }
        var arguments = ["-t2", "-c\(connections)", "-d\(seconds)s", "--latency"]
        var scriptFile: URL?
        if let script {
            let file = FileManager.default.temporaryDirectory.appendingPathComponent("bench-\(UUID().uuidString).lua")
            try script.write(to: file, atomically: true, encoding: .utf8)
            arguments += ["-s", file.path]
            scriptFile = file
        }
        let process = try ChildProcess(wrk, arguments + [url], output: .pipe, error: .null)
        return RunningLoad(process: process, scriptFile: scriptFile)
    }

    static func parse(_ text: String) -> LoadResult? {
        var result = LoadResult(requestsPerSecond: 0, requests: 0, p50: "?", p99: "?", non2xx: 0)
        for line in text.split(separator: "\n") {
            let words = line.split(separator: " ", omittingEmptySubsequences: true)
            guard let first = words.first else { continue }
            if first == "Requests/sec:", words.count > 1 { result.requestsPerSecond = Double(words[1]) ?? 0 }
            if words.count > 2, words[1] == "requests", words[2] == "in" { result.requests = Int(first) ?? 0 }
            if first == "50%", words.count > 1 { result.p50 = String(words[1]) }
            if first == "99%", words.count > 1 { result.p99 = String(words[1]) }
            if line.contains("Non-2xx or 3xx responses:"), let last = words.last { result.non2xx = Int(last) ?? 0 }
        }
        return result.requestsPerSecond > 0 ? result : nil
    }

    /// A wrk script sending `method` with a JSON `body` and extra headers; with `pause`, each connection waits
    /// that many milliseconds after an answer before its next request.
    static func script(method: String, body: String, headers: [String: String], pause: Int? = nil) -> String {
        var lines = [
            "wrk.method = \"\(method)\"", "wrk.body = [[\(body)]]",
            "wrk.headers[\"Content-Type\"] = \"application/json\"",
        ]
        for (name, value) in headers { lines.append("wrk.headers[\"\(name)\"] = \"\(value)\"") }
        if let pause { lines.append("function delay() return \(pause) end") }
        return lines.joined(separator: "\n")
    }

    /// Connections and a pause (ms) that offer about `rate` requests a second to `url`: wrk has no fixed-rate
    /// mode, so many connections each pause 20 ms between an answer and their next request. The answers' own
    /// latency lowers the rate, so a two-second trial measures it and the connections are scaled to make up
    /// for it (the achieved rate is printed with the figures).
    static func paced(_ url: String, rate: Int, script: (Int?) -> String) throws -> (connections: Int, pause: Int) {
        let pause = 20
        let guess = max(2, rate * pause / 1000)
        guard let trial = try run(url, seconds: 2, connections: guess, script: script(pause)),
            trial.requestsPerSecond > 0
        else { return (guess, pause) }
        let scaled = Double(guess) * Double(rate) / trial.requestsPerSecond
        return (min(1000, max(2, Int(scaled.rounded()))), pause)
    }
}

/// A wrk process under way.
struct RunningLoad {
    let process: ChildProcess
    let scriptFile: URL?

    /// Waits for wrk to end and reads its figures.
    func finish() -> LoadResult? {
        defer { scriptFile.map { try? FileManager.default.removeItem(at: $0) } }
        let data = (try? process.output?.readToEnd()) ?? Data()
        process.waitUntilExit()
        return Load.parse(String(decoding: data, as: UTF8.self))
    }
}

/// Percentiles of a set of samples in milliseconds.
func percentile(_ samples: [Double], _ fraction: Double) -> Double {
    let sorted = samples.sorted()
    guard !sorted.isEmpty else { return 0 }
    return sorted[min(sorted.count - 1, Int(Double(sorted.count) * fraction))]
}
