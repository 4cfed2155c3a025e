import ChildProcess
import Foundation
import Testing

/// Runs the built `ticketing` binary as a user would: a separate process, arguments, environment, stdin.
struct CommandRunner {
    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String

        var json: Any? { try? JSONSerialization.jsonObject(with: Data(stdout.utf8), options: [.fragmentsAllowed]) }
        var object: [String: Any] { json as? [String: Any] ?? [:] }
    }

    /// The package root.
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// The binary: `TICKETING_BINARY`, else `ticketing` next to the test bundle.
    static let binary: URL = {
        if let path = ProcessInfo.processInfo.environment["TICKETING_BINARY"] { return URL(fileURLWithPath: path) }
        var directory = Bundle.main.bundleURL
        for _ in 0..<4 {
            let candidate = directory.appendingPathComponent("ticketing")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            directory = directory.deletingLastPathComponent()
        }
        return root.appendingPathComponent(".build/debug/ticketing")
    }()

    /// A fresh data directory for this runner.
    let dataDirectory = FileManager.default.temporaryDirectory.appendingPathComponent(
        "ticketing-e2e-\(UUID().uuidString)")
    var workingDirectory = CommandRunner.root
    var environment: [String: String] = [:]

    func run(_ arguments: [String], stdin: String? = nil) throws -> Result {
        var environment = ProcessInfo.processInfo.environment.filter {
            !$0.key.hasPrefix("TICKETING_") && $0.key != "JWT_KEY"
        }
        environment["TICKETING_DATA_DIR"] = dataDirectory.path
        environment.merge(self.environment) { $1 }
        // An empty standard input rather than none: `--event -` reads it to its end.
        let completed = try ChildProcess.run(
            Self.binary.path, arguments, environment: environment, directory: workingDirectory.path,
            input: stdin ?? "")
        return Result(status: completed.status, stdout: completed.output, stderr: completed.error)
    }

    /// ``run(_:stdin:)`` waiting on a thread of its own rather than one of Swift concurrency's few: for a
    /// command that talks to a server in this process (a fake Lambda API, a fake emulator), whose handlers need
    /// those threads while the command runs. (On 2 cores there are two; two tests blocking both in `run`
    /// stalled every other test's server and clock.)
    func runOffThread(_ arguments: [String], stdin: String? = nil) async throws -> Result {
        try await withCheckedThrowingContinuation { continuation in
            let thread = Thread {
                continuation.resume(with: Swift.Result { try self.run(arguments, stdin: stdin) })
            }
            thread.start()
        }
    }

    /// Runs `invoke` and returns the v2 response with its body parsed.
    func invoke(_ function: String, event: String, extra: [String] = []) throws -> (
        status: Int, body: Any?, result: Result
    ) {
        let result = try run(["invoke", function, "--event", "-"] + extra, stdin: event)
        let status = result.object["statusCode"] as? Int ?? -1
        let body = (result.object["body"] as? String).flatMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8), options: [.fragmentsAllowed])
        }
        return (status, body, result)
    }

    func cleanUp() {
        try? FileManager.default.removeItem(at: dataDirectory)
    }
}
