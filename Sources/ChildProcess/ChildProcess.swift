import CChildProcess
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A program started with `posix_spawn`: how `serve --watch` runs its builds and servers, and how the tests and
/// benchmarks run `ticketing`, PostgreSQL's tools and Python's, in place of Foundation's `Process` (whose `run()`
/// on Linux can read past a buffer while it closes descriptors, and crash the test process:
/// swift-corelibs-foundation#5472).
///
/// The child gets only its three standard streams (every other descriptor closed), every signal at its default
/// and none blocked, whatever the spawning thread had.
public final class ChildProcess: @unchecked Sendable {
    /// Where a standard stream of the child goes.
    public enum Stream: Sendable {
        /// The parent's own.
        case inherit
        /// `/dev/null`.
        case null
        /// A file, created if missing; appended to.
        case file(String)
        /// A pipe whose other end the parent holds (`input`, `output` or `error`).
        case pipe
    }

    /// Why a program could not be started.
    public struct SpawnFailure: Error, CustomStringConvertible {
        public var description: String
    }

    /// The child's process id.
    public let processIdentifier: pid_t
    /// The write end of the child's standard input, for `.pipe`.
    public let input: FileHandle?
    /// The read end of the child's standard output, for `.pipe`.
    public let output: FileHandle?
    /// The read end of the child's standard error, for `.pipe`.
    public let error: FileHandle?

    private let lock = NSLock()

    /// A write to a pipe whose child has gone fails with EPIPE instead of ending the parent.
    private static let pipeSignalIgnored: Void = { signal(SIGPIPE, SIG_IGN) }()
    private var waitStatus: Int32?

    /// Starts `executable` (a path) with `arguments`, the environment `environment` (nil: the parent's) and the
    /// working directory `directory` (nil: the parent's).
    public init(
        _ executable: String, _ arguments: [String] = [], environment: [String: String]? = nil,
        directory: String? = nil, input: Stream = .null, output: Stream = .inherit, error: Stream = .inherit
    ) throws {
        _ = Self.pipeSignalIgnored
        var opened: [Int32] = []
        defer { for descriptor in opened { close(descriptor) } }
        func open(_ stream: Stream, reading: Bool) throws -> (child: Int32, parent: FileHandle?) {
            switch stream {
            case .inherit: return (TICKETING_SPAWN_INHERIT, nil)
            case .null: return (TICKETING_SPAWN_NULL, nil)
            case .file(let path):
                let flags = reading ? O_RDONLY : (O_WRONLY | O_CREAT | O_APPEND)
                let descriptor = Glibc.open(path, flags | O_CLOEXEC, 0o644)
                guard descriptor >= 0 else { throw SpawnFailure(description: "cannot open \(path): errno \(errno)") }
                opened.append(descriptor)
                return (descriptor, nil)
            case .pipe:
                var ends: [Int32] = [0, 0]
                guard ticketing_pipe(&ends) == 0 else {
                    throw SpawnFailure(description: "cannot make a pipe: errno \(errno)")
                }
                // The child's end is closed here once it has its copy; the parent's end is the handle's.
                let (child, parent) = reading ? (ends[0], ends[1]) : (ends[1], ends[0])
                opened.append(child)
                return (child, FileHandle(fileDescriptor: parent, closeOnDealloc: true))
            }
        }
        let standardInput = try open(input, reading: true)
        let standardOutput = try open(output, reading: false)
        let standardError = try open(error, reading: false)
        self.input = standardInput.parent
        self.output = standardOutput.parent
        self.error = standardError.parent

        let variables = (environment ?? ProcessInfo.processInfo.environment).map { "\($0.key)=\($0.value)" }
        var identifier: pid_t = 0
        let result = Self.withCStrings([executable] + arguments) { argv in
            Self.withCStrings(variables) { envp in
                ticketing_spawn(
                    &identifier, executable, argv, envp, directory, standardInput.child, standardOutput.child,
                    standardError.child)
            }
        }
        guard result == 0 else {
            throw SpawnFailure(description: "cannot start \(executable): \(String(cString: strerror(result)))")
        }
        processIdentifier = identifier
    }

    /// Whether the child has not ended yet (reaps it once it has).
    public var isRunning: Bool {
        lock.lock()
        defer { lock.unlock() }
        if waitStatus != nil { return false }
        var status: Int32 = 0
        if waitpid(processIdentifier, &status, WNOHANG) == processIdentifier {
            waitStatus = status
            return false
        }
        return true
    }

    /// Sends `signal` to the child while it runs.
    public func send(_ signal: Int32) {
        if isRunning { kill(processIdentifier, signal) }
    }

    /// Sends SIGTERM.
    public func terminate() { send(SIGTERM) }

    /// Blocks until the child ends; returns `terminationStatus`.
    @discardableResult
    public func waitUntilExit() -> Int32 {
        while true {
            lock.lock()
            if waitStatus != nil {
                lock.unlock()
                return terminationStatus
            }
            lock.unlock()
            var status: Int32 = 0
            let reaped = waitpid(processIdentifier, &status, 0)
            if reaped == processIdentifier {
                lock.lock()
                waitStatus = status
                lock.unlock()
            } else if reaped < 0, errno != EINTR {
                // Another thread reaped it (through `isRunning`) between the check and the wait.
                usleep(1000)
            }
        }
    }

    /// The exit code, or the number of the signal that ended the child; -1 while it runs.
    public var terminationStatus: Int32 {
        lock.lock()
        defer { lock.unlock() }
        guard let status = waitStatus else { return -1 }
        let signal = status & 0x7f
        return signal == 0 ? (status >> 8) & 0xff : signal
    }

    /// Whether a signal ended the child.
    public var wasSignalled: Bool {
        lock.lock()
        defer { lock.unlock() }
        guard let status = waitStatus else { return false }
        return status & 0x7f != 0
    }

    private static func withCStrings<Result>(
        _ strings: [String], _ body: (UnsafePointer<UnsafeMutablePointer<CChar>?>?) -> Result
    ) -> Result {
        // NULL-terminated, as posix_spawn's `char *const[]` arrays are (never written through).
        var pointers = strings.map { strdup($0) }
        pointers.append(nil)
        defer { for pointer in pointers { free(pointer) } }
        return pointers.withUnsafeBufferPointer { body($0.baseAddress) }
    }
}
