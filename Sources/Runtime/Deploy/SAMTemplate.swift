import FunctionKit
import Yams

/// The AWS SAM deployment of a manifest (`ticketing deploy sam`): every function an image function running the
/// one image in its Lambda mode (`FUNCTION` names it); the HTTP functions routed by an HTTP API (payload format
/// 2.0, which the Lambda mode takes); each subscription and schedule target fed by an SQS queue of its own
/// (batches with `ReportBatchItemFailures`, as the Lambda mode answers them), whose messages are structured
/// CloudEvents, with a dead-letter queue after the function's retries; and the dispatcher, which sends each
/// function's events and due timers to its queue, as an ECS service on Fargate (one task, in the subnets and
/// security groups given, its role allowed `sqs:SendMessage` on those queues and nothing else).
public struct SAMTemplate: Sendable {
    /// The functions.
    public let manifest: Manifest

    /// A template for `manifest`.
    public init(manifest: Manifest) {
        self.manifest = manifest
    }

    /// The template as YAML.
    public func yaml() throws -> String {
        try Yams.serialize(node: document(), sortKeys: false)
    }

    /// The template.
    public func document() -> Node {
        var resources: [(Node, Node)] = [(Node("HttpApi"), httpAPI())]
        var outputs: [(Node, Node)] = [
            (
                Node("ApiUrl"),
                YAMLDocument.map([
                    "Description": "The HTTP API's URL: the marketplace's API and pages.",
                    "Value": Self.sub("https://${HttpApi}.execute-api.${AWS::Region}.${AWS::URLSuffix}/"),
                ])
            )
        ]
        var queues: [(function: String, queue: String)] = []
        for function in manifest.functions {
            let id = Self.logicalID(function.name)
            switch function.trigger {
            case .http(let route):
                resources.append((Node(id), self.function(function, events: [("Route", routeEvent(route))])))
            case .subscription, .schedule:
                let queue = id + "EventQueue", deadLetters = id + "DeadLetterQueue"
                queues.append((function.name, queue))
                resources += [
                    (Node(deadLetters), deadLetterQueue()),
                    (Node(queue), self.queue(function, deadLetters: deadLetters)),
                    (Node(id), self.function(function, events: [("Queue", queueEvent(queue))])),
                ]
                outputs.append(
                    (
                        Node(queue + "Url"),
                        YAMLDocument.map([
                            "Description": YAMLDocument.text("Where \(function.name)'s events go."),
                            "Value": YAMLDocument.map(["Ref": YAMLDocument.text(queue)]),
                        ])
                    ))
            }
        }
        resources += dispatcher(queues: queues)
        return YAMLDocument.map([
            "AWSTemplateFormatVersion": YAMLDocument.text("2010-09-09"),
            "Transform": "AWS::Serverless-2016-10-31",
            "Description": YAMLDocument.text(
                "The marketplace's functions on AWS Lambda, one image, generated from functions.yaml by ticketing deploy sam."
            ),
            "Parameters": parameters(),
            "Globals": globals(),
            "Resources": .mapping(Node.Mapping(resources)),
            "Outputs": .mapping(Node.Mapping(outputs)),
        ])
    }

    // MARK: - Pieces

    /// The shared configuration, as the dispatcher's container takes it.
    private static var sharedVariables: [(String, Node)] {
        [
            ("DATABASE_URL", YAMLDocument.map(["Ref": "DatabaseUrl"])),
            ("JWT_KEY", YAMLDocument.map(["Ref": "JwtKey"])),
            ("STRIPE_SECRET_KEY", YAMLDocument.map(["Ref": "StripeSecretKey"])),
            ("PAYMENT_CURRENCY", YAMLDocument.map(["Ref": "PaymentCurrency"])),
            ("EXPIRATION_WINDOW_SECONDS", YAMLDocument.map(["Ref": "ExpirationWindowSeconds"])),
            ("LOG_FORMAT", Node("json")),
        ]
    }

    /// `ticketing dispatcher` on Fargate: every event function's URL its queue's (a queue's `Ref` is its URL).
    private func dispatcher(queues: [(function: String, queue: String)]) -> [(Node, Node)] {
        let urls = queues.map { "\($0.function)=${\($0.queue)}" }.joined(separator: ",")
        let variables =
            Self.sharedVariables + [
                ("FUNCTION_URLS", Self.sub(urls)), ("PORT", YAMLDocument.text("8080")),
                ("AWS_REGION", YAMLDocument.map(["Ref": "AWS::Region"])),
            ]
        let assumedByTasks = YAMLDocument.map([
            "Version": YAMLDocument.text("2012-10-17"),
            "Statement": YAMLDocument.list([
                YAMLDocument.map([
                    "Effect": "Allow", "Action": "sts:AssumeRole",
                    "Principal": YAMLDocument.map(["Service": "ecs-tasks.amazonaws.com"]),
                ])
            ]),
        ])
        let container = YAMLDocument.map([
            "Name": "dispatcher", "Image": YAMLDocument.map(["Ref": "ImageUri"]),
            "Command": YAMLDocument.list([Node("dispatcher")]), "Essential": YAMLDocument.boolean(true),
            "PortMappings": YAMLDocument.list([YAMLDocument.map(["ContainerPort": YAMLDocument.number(8080)])]),
            "Environment": YAMLDocument.list(
                variables.map { YAMLDocument.map(["Name": YAMLDocument.text($0.0), "Value": $0.1]) }),
            "LogConfiguration": YAMLDocument.map([
                "LogDriver": "awslogs",
                "Options": YAMLDocument.map([
                    "awslogs-group": YAMLDocument.map(["Ref": "DispatcherLogs"]),
                    "awslogs-region": YAMLDocument.map(["Ref": "AWS::Region"]),
                    "awslogs-stream-prefix": "dispatcher",
                ]),
            ]),
        ])
        return [
            (Node("DispatcherCluster"), YAMLDocument.map(["Type": "AWS::ECS::Cluster"])),
            (
                Node("DispatcherLogs"),
                YAMLDocument.map([
                    "Type": "AWS::Logs::LogGroup",
                    "Properties": YAMLDocument.map(["RetentionInDays": YAMLDocument.number(14)]),
                ])
            ),
            (
                Node("DispatcherExecutionRole"),
                YAMLDocument.map([
                    "Type": "AWS::IAM::Role",
                    "Properties": YAMLDocument.map([
                        "AssumeRolePolicyDocument": assumedByTasks,
                        "ManagedPolicyArns": YAMLDocument.list([
                            Self.sub(
                                "arn:${AWS::Partition}:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy")
                        ]),
                    ]),
                ])
            ),
            (
                Node("DispatcherTaskRole"),
                YAMLDocument.map([
                    "Type": "AWS::IAM::Role",
                    "Properties": YAMLDocument.map([
                        "AssumeRolePolicyDocument": assumedByTasks,
                        "Policies": YAMLDocument.list([
                            YAMLDocument.map([
                                "PolicyName": "send-to-event-queues",
                                "PolicyDocument": YAMLDocument.map([
                                    "Version": YAMLDocument.text("2012-10-17"),
                                    "Statement": YAMLDocument.list([
                                        YAMLDocument.map([
                                            "Effect": "Allow", "Action": "sqs:SendMessage",
                                            "Resource": YAMLDocument.list(
                                                queues.map {
                                                    YAMLDocument.map([
                                                        "Fn::GetAtt": YAMLDocument.list([
                                                            YAMLDocument.text($0.queue), Node("Arn"),
                                                        ])
                                                    ])
                                                }),
                                        ])
                                    ]),
                                ]),
                            ])
                        ]),
                    ]),
                ])
            ),
            (
                Node("DispatcherTask"),
                YAMLDocument.map([
                    "Type": "AWS::ECS::TaskDefinition",
                    "Properties": YAMLDocument.map([
                        "RequiresCompatibilities": YAMLDocument.list([Node("FARGATE")]),
                        "NetworkMode": "awsvpc", "Cpu": YAMLDocument.text("256"), "Memory": YAMLDocument.text("512"),
                        "ExecutionRoleArn": YAMLDocument.map([
                            "Fn::GetAtt": YAMLDocument.list([Node("DispatcherExecutionRole"), Node("Arn")])
                        ]),
                        "TaskRoleArn": YAMLDocument.map([
                            "Fn::GetAtt": YAMLDocument.list([Node("DispatcherTaskRole"), Node("Arn")])
                        ]),
                        "ContainerDefinitions": YAMLDocument.list([container]),
                    ]),
                ])
            ),
            (
                Node("DispatcherService"),
                YAMLDocument.map([
                    "Type": "AWS::ECS::Service",
                    "Properties": YAMLDocument.map([
                        "Cluster": YAMLDocument.map(["Ref": "DispatcherCluster"]),
                        "TaskDefinition": YAMLDocument.map(["Ref": "DispatcherTask"]),
                        "LaunchType": "FARGATE", "DesiredCount": YAMLDocument.number(1),
                        "NetworkConfiguration": YAMLDocument.map([
                            "AwsvpcConfiguration": YAMLDocument.map([
                                "Subnets": YAMLDocument.map(["Ref": "DispatcherSubnets"]),
                                "SecurityGroups": YAMLDocument.map(["Ref": "DispatcherSecurityGroups"]),
                                // To pull the image and reach SQS without a NAT gateway.
                                "AssignPublicIp": "ENABLED",
                            ])
                        ]),
                    ]),
                ])
            ),
        ]
    }

    private func parameters() -> Node {
        YAMLDocument.map([
            "ImageUri": YAMLDocument.map([
                "Type": "String", "Description": "The ticketing image in ECR (runtime/Dockerfile builds it).",
            ]),
            "DatabaseUrl": YAMLDocument.map([
                "Type": "String", "NoEcho": YAMLDocument.boolean(true),
                "Description": "The postgres:// URL of the database every function shares.",
            ]),
            "JwtKey": YAMLDocument.map([
                "Type": "String", "NoEcho": YAMLDocument.boolean(true), "MinLength": YAMLDocument.number(32),
                "Description": "The key that signs session tokens (at least 32 bytes).",
            ]),
            "StripeSecretKey": YAMLDocument.map([
                "Type": "String", "NoEcho": YAMLDocument.boolean(true), "Default": YAMLDocument.text(""),
                "Description": "Stripe's secret key; empty for the mock client.",
            ]),
            "PaymentCurrency": YAMLDocument.map(["Type": "String", "Default": "usd"]),
            "DispatcherSubnets": YAMLDocument.map([
                "Type": "List<AWS::EC2::Subnet::Id>",
                "Description": "Where the dispatcher runs: subnets that reach the database, SQS and ECR.",
            ]),
            "DispatcherSecurityGroups": YAMLDocument.map([
                "Type": "List<AWS::EC2::SecurityGroup::Id>",
                "Description": "The dispatcher's security groups (the database must let it in).",
            ]),
            "ExpirationWindowSeconds": YAMLDocument.map(["Type": "Number", "Default": YAMLDocument.number(900)]),
        ])
    }

    private func globals() -> Node {
        YAMLDocument.map([
            "Function": YAMLDocument.map([
                "Architectures": YAMLDocument.list([Node("x86_64")]),
                "MemorySize": YAMLDocument.number(256),
                "Environment": YAMLDocument.map([
                    "Variables": .mapping(Node.Mapping(Self.sharedVariables.map { (Node($0.0), $0.1) }))
                ]),
            ])
        ])
    }

    private func httpAPI() -> Node {
        YAMLDocument.map(["Type": "AWS::Serverless::HttpApi"])
    }

    /// One function: the image's `function` command with `FUNCTION` naming it, its timeout.
    private func function(_ function: Manifest.Function, events: [(String, Node)]) -> Node {
        var variables: [(String, Node)] = [("FUNCTION", YAMLDocument.text(function.name))]
        // A page calls the API where a browser reaches it.
        if function.service == "web" {
            variables.append(("API_URL", Self.sub("https://${HttpApi}.execute-api.${AWS::Region}.${AWS::URLSuffix}")))
        }
        return YAMLDocument.map([
            "Type": "AWS::Serverless::Function",
            "Properties": YAMLDocument.map([
                // Not in Globals: SAM takes neither there.
                "PackageType": "Image",
                "ImageUri": YAMLDocument.map(["Ref": "ImageUri"]),
                "Timeout": YAMLDocument.number(timeout(of: function)),
                "Environment": YAMLDocument.map([
                    "Variables": .mapping(Node.Mapping(variables.map { (Node($0.0), $0.1) }))
                ]),
                "Events": .mapping(Node.Mapping(events.map { (Node($0.0), $0.1) })),
            ]),
        ])
    }

    private func routeEvent(_ route: Route) -> Node {
        YAMLDocument.map([
            "Type": "HttpApi",
            "Properties": YAMLDocument.map([
                "ApiId": YAMLDocument.map(["Ref": "HttpApi"]),
                "Method": YAMLDocument.text(route.method),
                "Path": YAMLDocument.text(route.path),
                "PayloadFormatVersion": YAMLDocument.text("2.0"),
            ]),
        ])
    }

    private func queueEvent(_ queue: String) -> Node {
        YAMLDocument.map([
            "Type": "SQS",
            "Properties": YAMLDocument.map([
                "Queue": YAMLDocument.map(["Fn::GetAtt": YAMLDocument.list([YAMLDocument.text(queue), Node("Arn")])]),
                "BatchSize": YAMLDocument.number(10),
                "FunctionResponseTypes": YAMLDocument.list([Node("ReportBatchItemFailures")]),
            ]),
        ])
    }

    /// A function's queue: a message hidden while the function may still be working on it (six times its
    /// timeout, as AWS advises), moved to the dead-letter queue after the function's retries.
    private func queue(_ function: Manifest.Function, deadLetters: String) -> Node {
        let retries = function.retries ?? manifest.settings.retries ?? Manifest.defaultRetries
        return YAMLDocument.map([
            "Type": "AWS::SQS::Queue",
            "Properties": YAMLDocument.map([
                "VisibilityTimeout": YAMLDocument.number(6 * timeout(of: function)),
                "RedrivePolicy": YAMLDocument.map([
                    "deadLetterTargetArn": YAMLDocument.map([
                        "Fn::GetAtt": YAMLDocument.list([YAMLDocument.text(deadLetters), Node("Arn")])
                    ]),
                    "maxReceiveCount": YAMLDocument.number(retries + 1),
                ]),
            ]),
        ])
    }

    private func deadLetterQueue() -> Node {
        YAMLDocument.map([
            "Type": "AWS::SQS::Queue",
            "Properties": YAMLDocument.map(["MessageRetentionPeriod": YAMLDocument.number(1_209_600)]),
        ])
    }

    /// `Fn::Sub` of `text`.
    private static func sub(_ text: String) -> Node {
        YAMLDocument.map(["Fn::Sub": YAMLDocument.text(text)])
    }

    /// A function's name as a CloudFormation logical id: `tickets-on-order-created` → `TicketsOnOrderCreated`.
    static func logicalID(_ name: String) -> String {
        name.split(whereSeparator: { !$0.isLetter && !$0.isNumber }).map {
            $0.prefix(1).uppercased() + $0.dropFirst()
        }.joined()
    }

    /// A function's time limit in whole seconds.
    private func timeout(of function: Manifest.Function) -> Int {
        Int((function.timeout ?? manifest.settings.timeout ?? Manifest.defaultTimeout).rounded(.up))
    }
}
