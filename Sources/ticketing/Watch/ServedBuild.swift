import ChildProcess
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// One build's `ticketing serve`, on a loopback port of its own behind the `serve --watch` front.
final class ServedBuild: Sendable {
    /// Why a build could not be started.
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    let process: ChildProcess
    /// Where it answers.
    let url: URL
    /// The binary it runs.
    let binary: URL

    private init(process: ChildProcess, url: URL, binary: URL) {
        self.process = process
        self.url = url
        self.binary = binary
    }

    /// Starts `binary serve` on a free loopback port with `arguments` and `environment` added, and returns
    /// once it listens. Its standard output is passed on (its start-up banner only when `banner`); its errors
    /// and logs go straight to the front's.
    static func start(binary: URL, arguments: [String], environment: [String: String], banner: Bool) async throws
        -> ServedBuild
    {
        let variables = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let process = try ChildProcess(
            binary.path, ["serve", "--port", "0", "--host", "127.0.0.1"] + arguments, environment: variables,
            input: .null, output: .pipe, error: .inherit)
        guard let output = process.output else { throw Failure(description: "no pipe from \(binary.path)") }
        let url: URL? = await withCheckedContinuation { continuation in
            let thread = Thread {
                Self.relay(output, banner: banner) { continuation.resume(returning: $0) }
            }
            thread.name = "ticketing.watch.output"
            thread.start()
        }
        guard let url else {
            let status = await Blocking.run { process.waitUntilExit() }
            throw Failure(description: "\(binary.lastPathComponent) stopped before it listened (status \(status))")
        }
        return ServedBuild(process: process, url: url, binary: binary)
    }

    /// Reads the child's output line by line to its end: `listening` gets the address it listens on (or nil if
    /// the output ends first); the other lines are printed, those before it only when `banner`.
    private static func relay(_ output: FileHandle, banner: Bool, listening: (URL?) -> Void) {
        var pending = Data()
        var found = false
        while true {
            let chunk = output.availableData
            if chunk.isEmpty { break }
            pending.append(chunk)
            while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                let line = String(decoding: pending[pending.startIndex..<newline], as: UTF8.self)
                pending.removeSubrange(pending.startIndex...newline)
                if !found, line.hasPrefix("listening on "), let url = URL(string: String(line.dropFirst(13))) {
                    found = true
                    listening(url)
                } else if found || banner {
                    Serve.say(line)
                }
            }
        }
        if !found { listening(nil) }
    }

    /// Stops it as SIGTERM does, after the requests it is answering; returns its exit status.
    @discardableResult
    func stop() async -> Int32 {
        process.terminate()
        return await Blocking.run { [process] in process.waitUntilExit() }
    }

    /// Whether it still runs.
    var isRunning: Bool { process.isRunning }
}

/// Runs blocking work (waiting for a process, a build) on a thread of its own, not on one of Swift
/// concurrency's few.
enum Blocking {
    static func run<Value: Sendable>(_ work: @escaping @Sendable () -> Value) async -> Value {
        await withCheckedContinuation { continuation in
            let thread = Thread { continuation.resume(returning: work()) }
            thread.start()
        }
    }
}
