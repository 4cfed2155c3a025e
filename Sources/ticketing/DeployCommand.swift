import ArgumentParser
import Foundation
import Runtime

/// `ticketing deploy`: deployment manifests derived from functions.yaml.
struct DeployCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "deploy",
        abstract: "Print the manifests that deploy functions.yaml's functions onto a platform.",
        subcommands: [Knative.self, SAM.self, Compose.self])
}

/// `ticketing deploy knative`.
struct Knative: ParsableCommand {
    // The name given, not derived from the type's: deriving it demangles the type at every start (7M
    // instructions of `ticketing --help`, measured).
    static let configuration = CommandConfiguration(
        commandName: "knative",
        abstract: "Knative Serving Services, Eventing Triggers and the dispatcher, from functions.yaml.",
        discussion: """
            One Service per function (the one image; FUNCTION names the function; Knative sets PORT from the \\
            container port; probes on /health/live and /health/ready), HTTP functions cluster-local behind a \\
            public ticketing-gateway Service; a Broker and one Trigger per subscription and schedule target, \\
            filtered on the CloudEvent type; the dispatcher as a Deployment whose K_SINK a SinkBinding points at \\
            the Broker. Configuration: the ConfigMap `ticketing` (generated) and a Secret you make, e.g. \\
            kubectl create secret generic ticketing --from-literal=DATABASE_URL=postgres://… \\
            --from-literal=JWT_KEY=$(openssl rand -hex 32)
            """)

    @Option(help: "The container image every function runs (runtime/Dockerfile builds it).")
    var image = "ticketing:latest"

    @Option(help: "The namespace (default: none written; kubectl's).")
    var namespace: String?

    @Option(help: "The Broker's name.")
    var broker = "default"

    @Option(help: "The Secret holding DATABASE_URL, JWT_KEY and the other secrets, as environment variables.")
    var secret = "ticketing"

    @Option(help: ArgumentHelp("Write knative.yaml into this directory instead of printing it.", valueName: "dir"))
    var output: String?

    @OptionGroup var project: ProjectOptions

    func run() throws {
        let manifest = try project.loadedManifest()
        let yaml = try KnativeManifests(
            manifest: manifest, image: image, namespace: namespace, broker: broker, secret: secret
        ).yaml()
        try DeployOutput.write(yaml, named: "knative.yaml", into: output)
    }
}

/// `ticketing deploy sam`.
struct SAM: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sam",
        abstract: "An AWS SAM template.yaml for functions.yaml's functions on Lambda.",
        discussion: """
            One image function per function (the one image, in its Lambda mode; FUNCTION names the function), \
            the HTTP functions behind an HTTP API (payload format 2.0), each subscription and schedule target \
            fed by an SQS queue of its own (batches, ReportBatchItemFailures) with a dead-letter queue after \
            its retries; the dispatcher as an ECS service on Fargate that sends each function's events and due \
            timers to its queue (its role may send to those queues only). Deploy with \
            sam deploy --guided --template-file template.yaml (parameters: ImageUri, DatabaseUrl, JwtKey, \
            DispatcherSubnets, DispatcherSecurityGroups; StripeSecretKey and the rest optional).
            """)

    @Option(help: ArgumentHelp("Write template.yaml into this directory instead of printing it.", valueName: "dir"))
    var output: String?

    @OptionGroup var project: ProjectOptions

    func run() throws {
        let manifest = try project.loadedManifest()
        try DeployOutput.write(try SAMTemplate(manifest: manifest).yaml(), named: "template.yaml", into: output)
    }
}

/// `ticketing deploy compose`.
struct Compose: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compose",
        abstract: "A Docker Compose file (and Prometheus's scrape config) for functions.yaml's functions.",
        discussion: """
            PostgreSQL, the gateway front (published on 8080), the dispatcher and one container per function, all \
            on the image runtime/Dockerfile builds; Prometheus and Grafana under the observability profile. \
            --output writes compose.yaml and prometheus.yml (runtime/ holds the project's: \
            ticketing deploy compose --output runtime).
            """)

    @Option(
        help: ArgumentHelp(
            "Write compose.yaml and prometheus.yml into this directory instead of printing compose.yaml.",
            valueName: "dir"))
    var output: String?

    @OptionGroup var project: ProjectOptions

    func run() throws {
        let manifest = try project.loadedManifest()
        let files = ComposeFile(manifest: manifest)
        try DeployOutput.write(try files.compose(), named: "compose.yaml", into: output)
        if output != nil { try DeployOutput.write(try files.prometheus(), named: "prometheus.yml", into: output) }
    }
}

extension ProjectOptions {
    /// The manifest, or its problems as the one line a command fails with.
    func loadedManifest() throws -> Manifest {
        do {
            return try Manifest.load(path: manifest)
        } catch {
            throw CommandError("\(error)")
        }
    }
}

/// Where `deploy` puts what it made: standard output, or a file in `--output`'s directory.
enum DeployOutput {
    static func write(_ text: String, named name: String, into directory: String?) throws {
        guard let directory else {
            print(text, terminator: "")
            return
        }
        let folder = URL(fileURLWithPath: directory)
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            try Data(text.utf8).write(to: folder.appendingPathComponent(name))
        } catch {
            throw CommandError(
                "cannot write \(folder.appendingPathComponent(name).path): \(error.localizedDescription)")
        }
        print(folder.appendingPathComponent(name).path)
    }
}
