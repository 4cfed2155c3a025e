import ArgumentParser
import Runtime

/// Where a container-mode server (`ticketing function`, `ticketing gateway`) listens.
struct ListenOptions: ParsableArguments {
    @Option(help: "The port to listen on (default: $PORT or 8080; 0 picks a free one).")
    var port: Int?

    @Option(help: "The address to listen on.")
    var host = "0.0.0.0"

    @Option(name: .customLong("body-limit"), help: "The largest request body accepted, in bytes.")
    var bodyLimit = Gateway.defaultBodyLimit

    /// The port: `--port`, else `PORT`, else 8080 (the container convention).
    func resolvedPort(_ environment: [String: String]) throws -> Int {
        try Settings.port(port, environment: environment, default: 8080)
    }
}
