import ChildProcess
import Foundation

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// A `ticketing serve` (or `ticketing function`) process on a free port, and a small HTTP client for it.
final class ServerProcess: @unchecked Sendable {
    struct Reply {
        var status: Int
        var headers: [String: String]
        var body: Data

        var json: Any? { try? JSONSerialization.jsonObject(with: body, options: [.fragmentsAllowed]) }
        var object: [String: Any] { json as? [String: Any] ?? [:] }
        var text: String { String(decoding: body, as: UTF8.self) }
    }

    struct StartFailure: Error, CustomStringConvertible {
        var description: String
    }

    let process: ChildProcess
    let output: URL
    let errors: URL
    let runner: CommandRunner
    private(set) var baseURL = URL(fileURLWithPath: "/")
    private let session: URLSession

    /// Starts `ticketing serve --port 0` with `arguments` appended.
    convenience init(
        arguments: [String] = [], environment extra: [String: String] = [:], runner: CommandRunner = CommandRunner()
    ) throws {
        try self.init(command: ["serve", "--port", "0"] + arguments, environment: extra, runner: runner)
    }

    /// Starts `ticketing arguments` in the package root with `extra` over a clean environment, its stdout and
    /// stderr going to files in a scratch directory of their own; returns it and those files.
    static func start(
        _ arguments: [String], environment extra: [String: String], runner: CommandRunner,
        executable: String = CommandRunner.binary.path
    ) throws -> (process: ChildProcess, output: URL, errors: URL) {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent(
            "ticketing-process-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        let output = scratch.appendingPathComponent("stdout")
        let errors = scratch.appendingPathComponent("stderr")
        _ = FileManager.default.createFile(atPath: output.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errors.path, contents: nil)
        let process = try ChildProcess(
            executable, arguments, environment: environment(runner: runner, extra: extra),
            directory: CommandRunner.root.path, output: .file(output.path), error: .file(errors.path))
        return (process, output, errors)
    }

    /// Starts `ticketing` (or `executable`) with exactly `command` as its arguments, and `extra` over a clean
    /// environment (no `TICKETING_*`, `PORT`, `FUNCTION` or `JWT_KEY` of the test's own; `TICKETING_DATA_DIR` is
    /// the runner's).
    init(
        command: [String], environment extra: [String: String], runner: CommandRunner = CommandRunner(),
        executable: String = CommandRunner.binary.path
    ) throws {
        self.runner = runner
        (process, output, errors) = try Self.start(
            command, environment: extra, runner: runner, executable: executable)
        let configuration = URLSessionConfiguration.ephemeral
        configuration.httpShouldSetCookies = false
        configuration.httpCookieAcceptPolicy = .never
        configuration.httpMaximumConnectionsPerHost = 64
        session = URLSession(configuration: configuration, delegate: RedirectsNotFollowed(), delegateQueue: nil)
        // Readiness: the process prints its address once it listens (bounded wait, 90 s: the whole suite
        // starts dozens of processes at once on 2 cores).
        for _ in 0..<1800 {
            let text = (try? String(contentsOf: output, encoding: .utf8)) ?? ""
            if let line = text.split(separator: "\n").first(where: { $0.hasPrefix("listening on ") }),
                // A container listens on every address (0.0.0.0); the test reaches it over loopback.
                let url = URL(
                    string: String(line.dropFirst("listening on ".count)).replacingOccurrences(
                        of: "//0.0.0.0:", with: "//127.0.0.1:"))
            {
                baseURL = url
                return
            }
            guard process.isRunning else { break }
            usleep(50_000)
        }
        process.terminate()
        throw StartFailure(
            description:
                "\(command.first ?? "ticketing") did not start (running: \(process.isRunning)); stdout: "
                + "\((try? String(contentsOf: output, encoding: .utf8)) ?? ""); stderr: "
                + "\((try? String(contentsOf: errors, encoding: .utf8)) ?? "")"
        )
    }

    /// `extra` over a clean environment: none of the test's own `TICKETING_*`, `PORT`, `FUNCTION` or
    /// `JWT_KEY`, and the runner's data directory.
    static func environment(runner: CommandRunner, extra: [String: String]) -> [String: String] {
        var environment = ProcessInfo.processInfo.environment.filter {
            !$0.key.hasPrefix("TICKETING_") && !["PORT", "FUNCTION", "JWT_KEY"].contains($0.key)
        }
        environment["TICKETING_DATA_DIR"] = runner.dataDirectory.path
        environment.merge(extra) { $1 }
        return environment
    }

    var stdout: String { (try? String(contentsOf: output, encoding: .utf8)) ?? "" }
    var stderr: String { (try? String(contentsOf: errors, encoding: .utf8)) ?? "" }

    /// The lines logged so far that are JSON objects (`LOG_FORMAT=json`), parsed.
    var jsonLogLines: [[String: Any]] {
        stderr.split(separator: "\n").compactMap {
            (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any]
        }
    }

    func request(_ method: String, _ path: String, body: Data? = nil, headers: [String: String] = [:]) async throws
        -> Reply
    {
        guard let url = URL(string: path, relativeTo: baseURL) else {
            throw StartFailure(description: "bad path \(path)")
        }
        var request = URLRequest(url: url)
        request.httpMethod = method
        request.httpBody = body
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        let (data, response) = try await session.data(for: request)
        let http = response as? HTTPURLResponse
        var fields: [String: String] = [:]
        for (name, value) in http?.allHeaderFields ?? [:] {
            fields[String(describing: name).lowercased()] = String(describing: value)
        }
        return Reply(status: http?.statusCode ?? -1, headers: fields, body: data)
    }

    func json(_ method: String, _ path: String, _ body: String? = nil, cookie: String? = nil) async throws -> Reply {
        var headers = ["content-type": "application/json"]
        if let cookie { headers["cookie"] = cookie }
        return try await request(method, path, body: body.map { Data($0.utf8) }, headers: headers)
    }

    // The session is invalidated only once nothing can use it any more: FoundationNetworking traps (not
    // throws) when a request starts on an invalidated session, and a chaos shopper may still be about to send
    // one to a replica another task has just killed. Requests to a killed or stopped process fail by
    // themselves.
    deinit { session.invalidateAndCancel() }

    /// Kills the process with SIGKILL, as a crash would, leaving its data directory for a restart.
    func crash() {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(at: output.deletingLastPathComponent())
    }

    /// Sends SIGTERM and waits for the process to end; returns its exit status.
    @discardableResult
    func stop() -> Int32 {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
        runner.cleanUp()
        try? FileManager.default.removeItem(at: output.deletingLastPathComponent())
        return process.terminationStatus
    }
}

/// A `ticketing` command that runs until stopped and serves no HTTP (e.g. `dispatcher`): started, then
/// waited on until its output shows `ready`.
final class BackgroundCommand: @unchecked Sendable {
    let process: ChildProcess
    let output: URL
    let errors: URL

    init(_ arguments: [String], environment extra: [String: String], runner: CommandRunner, ready: String) throws {
        (process, output, errors) = try ServerProcess.start(arguments, environment: extra, runner: runner)
        for _ in 0..<600 {
            if ((try? String(contentsOf: output, encoding: .utf8)) ?? "").contains(ready) { return }
            guard process.isRunning else { break }
            usleep(50_000)
        }
        process.terminate()
        throw ServerProcess.StartFailure(
            description:
                "\(arguments.first ?? "ticketing") did not start: \((try? String(contentsOf: errors, encoding: .utf8)) ?? "")"
        )
    }

    /// What the command printed so far.
    var stdout: String { (try? String(contentsOf: output, encoding: .utf8)) ?? "" }
    /// What the command logged so far.
    var stderr: String { (try? String(contentsOf: errors, encoding: .utf8)) ?? "" }

    /// Sends SIGTERM and waits; returns the exit status.
    @discardableResult
    func stop() -> Int32 {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(at: output.deletingLastPathComponent())
        return process.terminationStatus
    }
}

/// Lets a test see a redirect as it was answered.
final class RedirectsNotFollowed: NSObject, URLSessionTaskDelegate, Sendable {
    func urlSession(
        _ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse,
        newRequest request: URLRequest, completionHandler: @escaping @Sendable (URLRequest?) -> Void
    ) {
        completionHandler(nil)
    }
}
