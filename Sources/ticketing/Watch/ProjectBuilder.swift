import ChildProcess
import Foundation

/// Builds the project's `ticketing` with SwiftPM (`swift build --product ticketing`, incremental) and keeps
/// each good build under `watch/` in the build directory, so that a later build, good or not, never touches
/// the binary a running process was started from.
struct ProjectBuilder: Sendable {
    /// What one build came to.
    enum Outcome: Sendable {
        /// Built and kept at `binary`.
        case built(binary: URL, seconds: Double)
        /// The build failed; `output` is what the compiler said.
        case failed(output: String, seconds: Double)
    }

    /// The package's root, where `Package.swift` is.
    let root: URL
    /// The build's products (`swift build --show-bin-path`).
    let products: URL

    /// The builder of the package at `root`; asks SwiftPM where its products go.
    static func make(root: URL) throws -> ProjectBuilder {
        guard FileManager.default.fileExists(atPath: root.appendingPathComponent("Package.swift").path) else {
            throw CommandError(
                "serve --watch rebuilds the project: no Package.swift in \(root.path), the manifest's directory")
        }
        let answer: ChildProcess.Completed
        do {
            answer = try ChildProcess.run(
                "/usr/bin/env", ["swift", "build", "--show-bin-path"], directory: root.path)
        } catch {
            throw CommandError("serve --watch needs the Swift toolchain on PATH: \(error)")
        }
        let path = answer.output.trimmingCharacters(in: .whitespacesAndNewlines)
        guard answer.status == 0, !path.isEmpty else {
            throw CommandError(
                "serve --watch needs the Swift toolchain on PATH: swift build --show-bin-path failed: "
                    + answer.error.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        return ProjectBuilder(root: root, products: URL(fileURLWithPath: path, isDirectory: true))
    }

    /// Where good builds are kept.
    var kept: URL { products.appendingPathComponent("watch", isDirectory: true) }

    /// Builds the project; a good build is copied to `watch/ticketing-<number>`, and builds older than the one
    /// before it are removed. `control` can stop the build from another thread.
    func build(number: Int, control: BuildControl) -> Outcome {
        let started = ContinuousClock.now
        let answer: (status: Int32, output: String)
        do {
            answer = try control.run(["swift", "build", "--product", "ticketing"], in: root)
        } catch {
            return .failed(output: "cannot run swift build: \(error)", seconds: Self.seconds(since: started))
        }
        guard answer.status == 0 else {
            return .failed(
                output: Self.diagnostics(answer.output), seconds: Self.seconds(since: started))
        }
        let binary = kept.appendingPathComponent("ticketing-\(number)")
        do {
            try FileManager.default.createDirectory(at: kept, withIntermediateDirectories: true)
            try? FileManager.default.removeItem(at: binary)
            try FileManager.default.copyItem(at: products.appendingPathComponent("ticketing"), to: binary)
        } catch {
            return .failed(
                output: "cannot keep the build at \(binary.path): \(error)", seconds: Self.seconds(since: started))
        }
        for old in (try? FileManager.default.contentsOfDirectory(atPath: kept.path)) ?? [] {
            guard let built = Int(old.dropFirst("ticketing-".count)), old.hasPrefix("ticketing-"), built < number - 1
            else { continue }
            try? FileManager.default.removeItem(at: kept.appendingPathComponent(old))
        }
        return .built(binary: binary, seconds: Self.seconds(since: started))
    }

    /// What SwiftPM printed, less its progress lines (`[12/40] Compiling …`).
    static func diagnostics(_ output: String) -> String {
        output.split(separator: "\n", omittingEmptySubsequences: false)
            .filter { !$0.hasPrefix("[") && !$0.hasPrefix("Building for ") && !$0.hasPrefix("warning: '") }
            .joined(separator: "\n").trimmingCharacters(in: .whitespacesAndNewlines)
    }

    static func seconds(since start: ContinuousClock.Instant) -> Double {
        let elapsed = ContinuousClock.now - start
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }
}

/// The build running now, if any, so that stopping `serve --watch` stops it too.
final class BuildControl: @unchecked Sendable {
    private let lock = NSLock()
    private var running: ChildProcess?
    private var cancelled = false

    /// Runs `arguments` through `env` in `directory` to its end, output and errors gathered through files.
    func run(_ arguments: [String], in directory: URL) throws -> (status: Int32, output: String) {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent(
            "ticketing-build-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let output = scratch.appendingPathComponent("output").path
        lock.lock()
        guard !cancelled else {
            lock.unlock()
            throw CommandError("stopped")
        }
        let process: ChildProcess
        do {
            process = try ChildProcess(
                "/usr/bin/env", arguments, directory: directory.path, output: .file(output), error: .file(output))
        } catch {
            lock.unlock()
            throw error
        }
        running = process
        lock.unlock()
        let status = process.waitUntilExit()
        lock.lock()
        running = nil
        lock.unlock()
        return (status, (try? String(contentsOfFile: output, encoding: .utf8)) ?? "")
    }

    /// Whether `cancel()` was called.
    var isCancelled: Bool {
        lock.lock()
        defer { lock.unlock() }
        return cancelled
    }

    /// Stops the build running, and any started later.
    func cancel() {
        lock.lock()
        cancelled = true
        let process = running
        lock.unlock()
        process?.terminate()
    }
}
