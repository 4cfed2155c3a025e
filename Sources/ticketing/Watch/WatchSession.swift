import Foundation
import ServiceLifecycle

/// `serve --watch`: builds the project, serves the build behind the front, and on every change to the
/// sources, the manifest, the sample events or the web templates brings the front a new build: rebuilt for a
/// source change, restarted for a manifest or event change, left alone for a template or asset change (read
/// from disk at each request). A build that fails prints the compiler's errors and the last good build keeps
/// serving; the data directory is the same for every build.
final class WatchSession: Service, @unchecked Sendable {
    /// What a set of changed paths asks for.
    enum Work: Equatable {
        /// Templates or assets only: the running build reads them from disk.
        case none
        /// The manifest or sample events: the same build, started again.
        case restart
        /// Sources or the package: a new build.
        case rebuild
    }

    let builder: ProjectBuilder
    let watcher: SourceWatcher
    let upstream: Upstream
    /// What every build's `serve` is started with.
    let arguments: [String]
    let environment: [String: String]
    private var served: ServedBuild?
    private var good: URL?
    private var builds = 0
    private let control = BuildControl()
    /// Whether a build's start-up banner (routes, storage) has been shown: the first one only.
    private var bannerShown = false

    /// The watched paths, relative to the package root.
    static let directories = ["Sources", "events"]
    /// The web templates and assets, read from disk under the watch (`TICKETING_WEB_DIR`).
    static let web = "Sources/Web"

    init(builder: ProjectBuilder, manifest: String, upstream: Upstream, arguments: [String]) throws {
        self.builder = builder
        self.upstream = upstream
        self.arguments = arguments
        environment = [
            "TICKETING_WEB_DIR": builder.root.appendingPathComponent(Self.web).path,
            ParentWatch.variable: String(getpid()),
        ]
        watcher = try SourceWatcher(
            root: builder.root, directories: Self.directories, files: ["Package.swift", manifest])
    }

    /// What changes to `paths` ask for.
    static func work(for paths: [String]) -> Work {
        var work = Work.none
        for path in paths {
            if path.hasPrefix(web + "/Templates/") || path.hasPrefix(web + "/Assets/") || path == web + "/Templates"
                || path == web + "/Assets"
            {
                continue
            }
            if path.hasPrefix("Sources/") || path == "Package.swift" { return .rebuild }
            work = .restart
        }
        return work
    }

    func run() async throws {
        try await withGracefulShutdownHandler {
            try await watch()
        } onGracefulShutdown: { [control, watcher] in
            control.cancel()
            watcher.stop()
        }
        await upstream.hold()
        await served?.stop()
        served = nil
    }

    private func watch() async throws {
        await rebuild(changed: nil)
        for await _ in watcher.signals {
            let paths = watcher.take()
            guard !paths.isEmpty else { continue }
            let changed = ContinuousClock.now
            Serve.say("watch: changed \(paths.prefix(5).joined(separator: ", "))\(paths.count > 5 ? ", …" : "")")
            switch Self.work(for: paths) {
            case .none:
                Serve.say("watch: templates and assets are read from disk; nothing to rebuild")
            case .restart where good != nil:
                await swap(to: good, changed: changed)
            case .restart, .rebuild:
                await rebuild(changed: changed)
            }
        }
    }

    /// Builds; a good build is swapped in, a failed one is reported and the last good build keeps serving.
    private func rebuild(changed: ContinuousClock.Instant?) async {
        builds += 1
        let number = builds
        Serve.say("watch: building…")
        switch await Blocking.run({ [builder, control] in builder.build(number: number, control: control) }) {
        case .built(let binary, let seconds):
            Serve.say("watch: built in \(WatchFront.format(seconds))")
            await swap(to: binary, changed: changed)
        case .failed where control.isCancelled:
            return
        case .failed(let output, let seconds):
            Serve.say("watch: the build failed after \(WatchFront.format(seconds)):\n\(output)")
            if served == nil {
                await upstream.fail("The build failed; fix it and save to try again:\n\(output)")
            } else {
                Serve.say("watch: the last good build keeps serving")
            }
        }
    }

    /// Stops the build serving, with requests held, and starts `binary`; if it does not start, the last good
    /// build again.
    private func swap(to binary: URL?, changed: ContinuousClock.Instant?) async {
        guard let binary else { return }
        let started = ContinuousClock.now
        await upstream.hold()
        if let old = served {
            await old.stop()
            served = nil
        }
        var candidates = [binary]
        if let good, good != binary { candidates.append(good) }
        for candidate in candidates {
            do {
                let next = try await ServedBuild.start(
                    binary: candidate, arguments: arguments, environment: environment, banner: !bannerShown)
                bannerShown = true
                served = next
                good = candidate
                await upstream.serve(next.url, changed: changed)
                let held = WatchFront.format(ProjectBuilder.seconds(since: started))
                Serve.say(
                    candidate == binary
                        ? "watch: serving the new build (requests held \(held))"
                        : "watch: the new build did not start; the last good build serves again")
                return
            } catch {
                Serve.say("watch: \(error)")
            }
        }
        await upstream.fail("The server did not start; fix it and save to try again")
    }
}
