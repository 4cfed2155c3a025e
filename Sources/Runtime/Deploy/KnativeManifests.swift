import FunctionKit
import Yams

/// The Knative deployment of a manifest (`ticketing deploy knative`): one image for every function, each
/// function a Knative Serving Service; the gateway front a public Service routing the API and the pages to the
/// HTTP functions, which stay cluster-local; a Broker, and a Trigger per subscription and per schedule target,
/// filtered on the CloudEvent `type`; the dispatcher a Deployment whose `K_SINK` a SinkBinding points at the
/// Broker, so every outbox event and due timer goes there once, in order. Configuration comes from a Secret
/// the operator makes (`DATABASE_URL`, `JWT_KEY`, and `STRIPE_SECRET_KEY` …, as environment variables) and a
/// ConfigMap generated here.
public struct KnativeManifests: Sendable {
    /// The functions.
    public let manifest: Manifest
    /// The container image every function runs.
    public let image: String
    /// The Kubernetes namespace; `nil` leaves it to `kubectl apply -n`.
    public let namespace: String?
    /// The Broker's name.
    public let broker: String
    /// The Secret the configuration's secrets come from.
    public let secret: String

    /// The name of the ConfigMap and of the gateway and dispatcher objects' prefix.
    static let name = "ticketing"

    /// Manifests for `manifest` running `image`.
    public init(
        manifest: Manifest, image: String, namespace: String? = nil, broker: String = "default",
        secret: String = "ticketing"
    ) {
        self.manifest = manifest
        self.image = image
        self.namespace = namespace
        self.broker = broker
        self.secret = secret
    }

    /// Every object, in the order `kubectl apply` can take them.
    public func documents() -> [Node] {
        var documents = [configMap(), brokerObject()]
        documents.append(gateway())
        for function in manifest.functions { documents.append(service(function)) }
        for function in manifest.functions {
            switch function.trigger {
            case .http: continue
            case .subscription(let subject): documents.append(trigger(function, type: subject))
            case .schedule: documents.append(trigger(function, type: ScheduledTimer.eventType(for: function.name)))
            }
        }
        documents += [dispatcher(), sinkBinding()]
        return documents
    }

    /// The manifests as one YAML stream.
    public func yaml() throws -> String {
        try YAMLDocument.stream(documents())
    }

    // MARK: - Objects

    private func metadata(_ name: String, labels: [(String, String)] = []) -> Node {
        var pairs: [(Node, Node)] = [(Node("name"), YAMLDocument.text(name))]
        if let namespace { pairs.append((Node("namespace"), YAMLDocument.text(namespace))) }
        pairs.append(
            (Node("labels"), YAMLDocument.strings([("app.kubernetes.io/part-of", Self.name)] + labels)))
        return .mapping(Node.Mapping(pairs))
    }

    private func configMap() -> Node {
        YAMLDocument.map([
            "apiVersion": "v1", "kind": "ConfigMap", "metadata": metadata(Self.name),
            "data": YAMLDocument.strings([
                ("LOG_FORMAT", "json"), ("LOG_LEVEL", "info"), ("EXPIRATION_WINDOW_SECONDS", "900"),
                ("PAYMENT_CURRENCY", "usd"),
            ]),
        ])
    }

    private func brokerObject() -> Node {
        YAMLDocument.map([
            "apiVersion": "eventing.knative.dev/v1", "kind": "Broker", "metadata": metadata(broker),
        ])
    }

    /// The environment every container shares: the ConfigMap and the Secret.
    private var environmentSources: Node {
        YAMLDocument.list([
            YAMLDocument.map(["configMapRef": YAMLDocument.strings([("name", Self.name)])]),
            YAMLDocument.map(["secretRef": YAMLDocument.strings([("name", secret)])]),
        ])
    }

    /// A container running `arguments` with `environment` on top of the shared one; Knative sets `PORT` from
    /// the container port, and probes the process's own `/health/live` and `/health/ready`.
    private func container(arguments: [String], environment: [(String, String)]) -> Node {
        var pairs: [(Node, Node)] = [(Node("image"), YAMLDocument.text(image))]
        if !arguments.isEmpty { pairs.append((Node("args"), YAMLDocument.list(arguments.map(YAMLDocument.text)))) }
        pairs += [
            (Node("ports"), YAMLDocument.list([YAMLDocument.map(["containerPort": YAMLDocument.number(8080)])])),
            (
                Node("env"),
                YAMLDocument.list(
                    environment.map { YAMLDocument.strings([("name", $0.0), ("value", $0.1)]) })
            ),
            (Node("envFrom"), environmentSources),
            (Node("livenessProbe"), probe("/health/live")),
            (Node("readinessProbe"), probe("/health/ready")),
        ]
        return .mapping(Node.Mapping(pairs))
    }

    private func probe(_ path: String) -> Node {
        YAMLDocument.map(["httpGet": YAMLDocument.strings([("path", path)])])
    }

    /// The in-cluster URL of Knative Service `name`: its short name resolves in its own namespace, which is
    /// the caller's when none is written.
    private func localURL(_ name: String) -> String {
        namespace.map { "http://\(name).\($0).svc.cluster.local" } ?? "http://\(name)"
    }

    private func knativeService(
        _ name: String, labels: [(String, String)], timeout: Int, container: Node
    ) -> Node {
        YAMLDocument.map([
            "apiVersion": "serving.knative.dev/v1", "kind": "Service", "metadata": metadata(name, labels: labels),
            "spec": YAMLDocument.map([
                "template": YAMLDocument.map([
                    "spec": YAMLDocument.map([
                        "timeoutSeconds": YAMLDocument.number(timeout),
                        "containers": YAMLDocument.list([container]),
                    ])
                ])
            ]),
        ])
    }

    /// The public front: `ticketing gateway`, routing to each HTTP function's cluster-local Service.
    private func gateway() -> Node {
        let routed = manifest.functions.filter { $0.trigger.route != nil }.map(\.name)
        let urls = routed.map { "\($0)=\(localURL($0))" }.joined(separator: ",")
        let longest = manifest.functions.map(timeout(of:)).max() ?? Int(Manifest.defaultTimeout)
        return knativeService(
            "\(Self.name)-gateway", labels: [("app.kubernetes.io/component", "gateway")],
            timeout: longest + 10,
            container: container(arguments: ["gateway"], environment: [("FUNCTION_URLS", urls)]))
    }

    /// One function's Service: cluster-local, reached through the gateway or the Broker.
    private func service(_ function: Manifest.Function) -> Node {
        var environment = [("FUNCTION", function.name)]
        // A page calls the API through the gateway, as a browser's request would reach it.
        if function.service == "web" { environment.append(("API_URL", localURL("\(Self.name)-gateway"))) }
        return knativeService(
            function.name,
            labels: [
                ("app.kubernetes.io/component", "function"), ("ticketing.dev/service", function.service),
                ("networking.knative.dev/visibility", "cluster-local"),
            ],
            timeout: timeout(of: function) + 10,
            container: container(arguments: [], environment: environment))
    }

    /// The Trigger that sends the Broker's events of `type` to `function`.
    private func trigger(_ function: Manifest.Function, type: String) -> Node {
        YAMLDocument.map([
            "apiVersion": "eventing.knative.dev/v1", "kind": "Trigger", "metadata": metadata(function.name),
            "spec": YAMLDocument.map([
                "broker": YAMLDocument.text(broker),
                "filter": YAMLDocument.map(["attributes": YAMLDocument.strings([("type", type)])]),
                "subscriber": YAMLDocument.map([
                    "ref": YAMLDocument.strings([
                        ("apiVersion", "serving.knative.dev/v1"), ("kind", "Service"), ("name", function.name),
                    ])
                ]),
                "delivery": YAMLDocument.map([
                    "retry": YAMLDocument.number(
                        function.retries ?? manifest.settings.retries ?? Manifest.defaultRetries),
                    "backoffPolicy": "exponential", "backoffDelay": "PT0.25S",
                ]),
            ]),
        ])
    }

    /// The dispatcher: outbox events and due timers to the Broker (`K_SINK`, set by the SinkBinding), one
    /// replica enough (more may run: they share cursors), its probes and `/metrics` on 8080.
    private func dispatcher() -> Node {
        let labels = YAMLDocument.strings([("app.kubernetes.io/name", "\(Self.name)-dispatcher")])
        return YAMLDocument.map([
            "apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": metadata("\(Self.name)-dispatcher", labels: [("app.kubernetes.io/component", "dispatcher")]),
            "spec": YAMLDocument.map([
                "replicas": YAMLDocument.number(1),
                "selector": YAMLDocument.map(["matchLabels": labels]),
                "template": YAMLDocument.map([
                    "metadata": YAMLDocument.map(["labels": labels]),
                    "spec": YAMLDocument.map([
                        "containers": YAMLDocument.list([
                            dispatcherContainer()
                        ])
                    ]),
                ]),
            ]),
        ])
    }

    private func dispatcherContainer() -> Node {
        YAMLDocument.map([
            "name": "dispatcher", "image": YAMLDocument.text(image),
            "args": YAMLDocument.list([YAMLDocument.text("dispatcher")]),
            "ports": YAMLDocument.list([YAMLDocument.map(["containerPort": YAMLDocument.number(8080)])]),
            "env": YAMLDocument.list([YAMLDocument.strings([("name", "PORT"), ("value", "8080")])]),
            "envFrom": environmentSources,
            "livenessProbe": YAMLDocument.map([
                "httpGet": YAMLDocument.map(["path": "/health/live", "port": YAMLDocument.number(8080)])
            ]),
            "readinessProbe": YAMLDocument.map([
                "httpGet": YAMLDocument.map(["path": "/health/ready", "port": YAMLDocument.number(8080)])
            ]),
        ])
    }

    /// Points the dispatcher's `K_SINK` at the Broker.
    private func sinkBinding() -> Node {
        YAMLDocument.map([
            "apiVersion": "sources.knative.dev/v1", "kind": "SinkBinding",
            "metadata": metadata("\(Self.name)-dispatcher"),
            "spec": YAMLDocument.map([
                "subject": YAMLDocument.strings([
                    ("apiVersion", "apps/v1"), ("kind", "Deployment"), ("name", "\(Self.name)-dispatcher"),
                ]),
                "sink": YAMLDocument.map([
                    "ref": YAMLDocument.strings([
                        ("apiVersion", "eventing.knative.dev/v1"), ("kind", "Broker"), ("name", broker),
                    ])
                ]),
            ]),
        ])
    }

    /// A function's time limit in whole seconds.
    private func timeout(of function: Manifest.Function) -> Int {
        Int((function.timeout ?? manifest.settings.timeout ?? Manifest.defaultTimeout).rounded(.up))
    }
}
