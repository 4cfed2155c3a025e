import ChildProcess
import Foundation
import XCTest

/// `ticketing serve --watch` on a copy of the project: the repository seen through a copy-on-write overlay in a
/// mount namespace of its own. The copy has the repository's paths, so its build starts from the suite's own
/// and is incremental, and nothing the test edits or builds reaches the repository. The test edits files
/// through `/proc/<pid>/root`, the watching process's view.
final class WatchTests: XCTestCase {
    func testAnEditedHandlerIsServedOnTheSamePortWithNoRequestRefused() async throws {
        let copy = try ProjectCopy()
        defer { copy.remove() }
        let server = try ServerProcess(
            command: copy.command(["serve", "--watch", "--port", "0"]), environment: [:],
            executable: "/usr/bin/unshare")
        defer { server.stop() }
        try await waitFor("watch: serving the new build", in: server)
        let files = copy.files(seenBy: server.process.processIdentifier)

        // A handler edited: the next build answers, and no request in between is refused or fails.
        let before = try await server.request("GET", "/api/tickets/watched")
        XCTAssertEqual(before.status, 404, before.text)
        let requests = Task { () -> [String] in
            var seen: [String] = []
            while !Task.isCancelled {
                do {
                    let reply = try await server.request("GET", "/api/tickets/watched")
                    let answer = "\(reply.status) \(reply.text)"
                    if seen.last != answer { seen.append(answer) }
                    if reply.status == 410 { break }
                } catch {
                    seen.append("failed: \(error)")
                }
            }
            return seen
        }
        let handler = files.appendingPathComponent("Sources/Tickets/ShowTicket.swift")
        let edited = Date()
        try replace(
            "else { throw FunctionError.notFound }",
            with: #"else { return HTTPResponse(statusCode: 410, body: "gone, said the new build") }"#, in: handler)
        let answers = try await withTimeout(seconds: 600) { await requests.value }
        let seconds = Date().timeIntervalSince(edited)
        XCTAssertEqual(answers.first.map { String($0.prefix(3)) }, "404", "\(answers)")
        XCTAssertEqual(answers.last, "410 gone, said the new build", "\(answers)")
        XCTAssertEqual(answers.count, 2, "every answer was the old build's or the new one's: \(answers)")
        XCTAssertTrue(server.stdout.contains("watch: first response from the new build"), server.stdout)
        print("serve --watch: a one-line handler change answered \(String(format: "%.2f", seconds)) s after the edit")

        // A template edited: read from disk, it shows at the next request, with no build.
        let page = try await server.request("GET", "/")
        XCTAssertFalse(page.text.contains("Watched:"))
        let template = files.appendingPathComponent("Sources/Web/Templates/layout.mustache")
        let templateEdited = Date()
        try replace("<title>", with: "<title>Watched: ", in: template)
        let changed = try await server.request("GET", "/")
        let templateSeconds = Date().timeIntervalSince(templateEdited)
        XCTAssertTrue(changed.text.contains("<title>Watched: "), changed.text)
        print("serve --watch: a template change answered \(String(format: "%.3f", templateSeconds)) s after the edit")

        // A build that fails: the compiler's errors are printed and the last good build keeps serving.
        try replace("let ticket = try", with: "let ticket: Int = try", in: handler)
        try await waitFor("watch: the last good build keeps serving", in: server)
        XCTAssertTrue(server.stdout.contains("error:"), server.stdout)
        let still = try await server.request("GET", "/api/tickets/watched")
        XCTAssertEqual(still.status, 410)

        // Stopping the watch stops the server it runs.
        let children = Self.children(of: server.process.processIdentifier)
        XCTAssertEqual(children.count, 1, "the watch runs one server")
        XCTAssertEqual(server.stop(), 0, server.stderr)
        for child in children { XCTAssertFalse(Self.isAlive(child), "server \(child) outlived the watch") }
    }

    /// A server started by the watch (`TICKETING_WATCH_PARENT`) stops by itself once the watch is gone, even
    /// killed with SIGKILL and so unable to stop it.
    func testAServerStopsWhenTheWatchThatStartedItIsKilled() async throws {
        let runner = CommandRunner()
        defer { runner.cleanUp() }
        let shell = try ChildProcess(
            "/bin/sh",
            [
                "-c", "TICKETING_WATCH_PARENT=$$ \"$0\" serve --port 0 --data-dir \"$1\" & wait",
                CommandRunner.binary.path, runner.dataDirectory.path,
            ], output: .null, error: .null)
        var servers: [pid_t] = []
        for _ in 0..<100 where servers.isEmpty {
            servers = Self.children(of: shell.processIdentifier)
            try await Task.sleep(for: .milliseconds(50))
        }
        let server = try XCTUnwrap(servers.first)
        kill(shell.processIdentifier, SIGKILL)
        shell.waitUntilExit()
        var alive = true
        for _ in 0..<100 where alive {
            try await Task.sleep(for: .milliseconds(100))
            alive = Self.isAlive(server)
        }
        XCTAssertFalse(alive, "the server outlived the process that started it")
    }

    /// The processes `pid` started that still run (each of its threads keeps its own list).
    static func children(of pid: pid_t) -> [pid_t] {
        let threads = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task")) ?? []
        return threads.flatMap { thread in
            let text = (try? String(contentsOfFile: "/proc/\(pid)/task/\(thread)/children", encoding: .utf8)) ?? ""
            return text.split(separator: " ").compactMap { pid_t($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        }
    }

    /// Whether `pid` runs (a zombie does not count: it has ended).
    static func isAlive(_ pid: pid_t) -> Bool {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8) else { return false }
        let state = status.split(separator: ")").last?.split(separator: " ").first
        return state != "Z" && state != "X"
    }

    /// Waits until the server's output holds `text` (the watch's builds take their time on 2 cores).
    private func waitFor(_ text: String, in server: ServerProcess) async throws {
        for _ in 0..<6000 {
            if server.stdout.contains(text) { return }
            guard server.process.isRunning else { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        XCTFail("no '\(text)' in: \(server.stdout)\n\(server.stderr)")
        throw CancellationError()
    }

    private func replace(_ old: String, with new: String, in file: URL) throws {
        let text = try String(contentsOf: file, encoding: .utf8)
        XCTAssertTrue(text.contains(old), "\(file.path) has no '\(old)'")
        try Data(text.replacingOccurrences(of: old, with: new).utf8).write(to: file)
    }

    private func withTimeout<Value: Sendable>(seconds: Double, _ work: @escaping @Sendable () async -> Value)
        async throws -> Value
    {
        try await withThrowingTaskGroup(of: Value?.self) { group in
            group.addTask { await work() }
            group.addTask {
                try await Task.sleep(for: .seconds(seconds))
                return nil
            }
            defer { group.cancelAll() }
            guard let first = try await group.next(), let value = first else {
                throw CancellationError()
            }
            return value
        }
    }
}

/// The repository as a copy-on-write overlay in a mount namespace: `command` runs `ticketing` in it.
struct ProjectCopy {
    let scratch: URL
    let root = CommandRunner.root.standardizedFileURL.path

    init() throws {
        scratch = FileManager.default.temporaryDirectory.appendingPathComponent("ticketing-watch-\(UUID().uuidString)")
        for part in ["upper", "work", "probe/lower", "probe/upper", "probe/work"] {
            try FileManager.default.createDirectory(
                at: scratch.appendingPathComponent(part), withIntermediateDirectories: true)
        }
        try Data().write(to: scratch.appendingPathComponent("build.lock"))
        let probe = scratch.appendingPathComponent("probe").path
        let mounted = try ChildProcess.run(
            "/usr/bin/unshare",
            [
                "--mount", "--propagation", "private", "mount", "-t", "overlay", "overlay", "-o",
                "lowerdir=\(probe)/lower,upperdir=\(probe)/upper,workdir=\(probe)/work", "\(probe)/lower",
            ])
        guard mounted.status == 0 else {
            remove()
            throw XCTSkip(
                "serve --watch's end-to-end test needs mount namespaces and overlayfs (root): \(mounted.error)")
        }
    }

    /// `unshare`'s arguments: mount the overlay, then run `ticketing arguments` in the copy's root. SwiftPM locks
    /// a build directory through a file in `/tmp` named after its path, which the suite's `swift test` holds:
    /// the copy gets a lock file of its own at that path, or its builds would wait for the suite to end.
    func command(_ arguments: [String]) -> [String] {
        let options = "lowerdir=\(root),upperdir=\(scratch.path)/upper,workdir=\(scratch.path)/work"
        let lock = "/tmp/" + (root + "/.build").replacingOccurrences(of: "/", with: "_") + ".lock"
        return [
            "--mount", "--propagation", "private", "--", "/bin/sh", "-c",
            "touch \(lock) && mount -t overlay overlay -o \(options) \(root) "
                + "&& mount --bind \(scratch.path)/build.lock \(lock) && cd \(root) && exec \"$@\"", "sh",
            CommandRunner.binary.path,
        ] + arguments
    }

    /// The copy's root as the process `pid` (in the namespace) sees it.
    func files(seenBy pid: pid_t) -> URL {
        URL(fileURLWithPath: "/proc/\(pid)/root\(root)", isDirectory: true)
    }

    func remove() {
        try? FileManager.default.removeItem(at: scratch)
    }
}
