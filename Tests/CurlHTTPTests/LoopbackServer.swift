import Foundation
import Hummingbird
import Logging

/// A Hummingbird server run by a test on a free loopback port.
enum LoopbackServer {
    /// Runs `body` with `router` served on a free port, passing the server's base URL (ending in `/`).
    static func with(_ router: Router<BasicRequestContext>, _ body: (String) async throws -> Void) async throws {
        let (ports, portFound) = AsyncStream.makeStream(of: Int.self)
        var logger = Logger(label: "loopback")
        logger.logLevel = .critical
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in portFound.yield(channel.localAddress?.port ?? 0) }, logger: logger)
        let server = Task { try await app.runService(gracefulShutdownSignals: []) }
        defer { server.cancel() }
        var iterator = ports.makeAsyncIterator()
        let port = await iterator.next() ?? 0
        try await body("http://127.0.0.1:\(port)/")
    }
}
