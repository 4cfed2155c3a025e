import Foundation
import Hummingbird
import Logging
import Runtime

extension Serve {
    /// `serve --watch`: the front on `port`, and the project's builds behind it.
    func runWatching(port: Int) async throws {
        let manifestPath = URL(fileURLWithPath: project.manifest).standardizedFileURL
        let root = manifestPath.deletingLastPathComponent()
        let builder = try await Blocking.run { Result { try ProjectBuilder.make(root: root) } }.get()
        let upstream = Upstream()
        let session = try WatchSession(
            builder: builder, manifest: manifestPath.lastPathComponent, upstream: upstream,
            arguments: [
                "--manifest", manifestPath.path, "--data-dir", project.dataDirectory.path,
                "--resync", String(delivery.resync), "--body-limit", String(bodyLimit),
            ])
        var logger = Logger(label: "ticketing.watch")
        logger.logLevel = try Settings.logLevel(ProcessInfo.processInfo.environment, default: .info)
        let front = WatchFront(upstream: upstream, bodyLimit: bodyLimit, timeout: Self.longestTimeout(manifestPath))
        let host = self.host
        let application = Application(
            responder: front,
            configuration: ApplicationConfiguration(address: .hostname(host, port: port), serverName: "ticketing"),
            services: [session],
            onServerRunning: { channel in
                Serve.say("watching \(root.path)")
                Serve.say("listening on http://\(host):\(channel.localAddress?.port ?? port)")
            },
            logger: logger)
        try await application.runService()
    }

    /// How long the front lets a request take: the manifest's longest timeout and a margin (five minutes if
    /// the manifest cannot be read now; it may be fixed while watched).
    static func longestTimeout(_ manifest: URL) -> Duration {
        guard let loaded = try? Manifest.load(path: manifest.path) else { return .seconds(300) }
        let longest = loaded.functions.map { $0.timeout ?? loaded.settings.timeout ?? Manifest.defaultTimeout }.max()
        return .seconds((longest ?? Manifest.defaultTimeout) + 10)
    }
}
