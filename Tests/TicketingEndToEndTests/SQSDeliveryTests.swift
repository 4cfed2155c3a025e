import ChildProcess
import Foundation
import Testing

/// `ticketing dispatcher` delivering to SQS queues, as in the `ticketing deploy sam` deployment: each event goes
/// to its function's queue as a structured CloudEvent through a signed `SendMessage`, against a fake SQS
/// (Tests/Support/fake_sqs.py) that computes every request's Signature Version 4 again with botocore and
/// refuses a mismatch, and that hands the dispatcher its credentials as the ECS container endpoint does.
@Suite struct SQSDeliveryTests {
    static let key = FunctionCommandTests.key

    @Test func eachEventGoesToItsFunctionsQueueSignedAsAWSChecksIt() async throws {
        let sqs = try FakeSQS()
        defer { sqs.stop() }
        var runner = CommandRunner()
        runner.environment = ["JWT_KEY": Self.key]
        defer { runner.cleanUp() }
        let auth = try FunctionCommandTests.container("auth-signup", runner: runner)
        defer { auth.stop() }
        let tickets = try FunctionCommandTests.container("tickets-create", runner: runner)
        defer { tickets.stop() }
        let targets = try FunctionCommandTests.eventFunctions()
        let queue = { (name: String) in "http://127.0.0.1:\(sqs.port)/000000000000/\(name)" }
        let urls = targets.map { "\($0)=sqs+\(queue($0))" }.joined(separator: ",")
        let dispatcher = try BackgroundCommand(
            ["dispatcher"],
            environment: [
                "FUNCTION_URLS": urls, "JWT_KEY": Self.key, "AWS_REGION": "us-east-1",
                "AWS_CONTAINER_CREDENTIALS_FULL_URI": "http://127.0.0.1:\(sqs.port)/credentials",
                "AWS_CONTAINER_AUTHORIZATION_TOKEN": "container-token",
            ],
            runner: runner, ready: "dispatching")
        defer { dispatcher.stop() }

        let signup = try await auth.json(
            "POST", "/api/users/signup", #"{"email":"sqs@example.com","password":"secret"}"#)
        let cookie = try #require(signup.headers["set-cookie"].map { String($0.prefix { $0 != ";" }) })
        var created: [String] = []
        for title in ["Opera", "Ballet"] {
            let reply = try await tickets.request(
                "POST", "/api/tickets", body: Data(#"{"title":"\#(title)","price":20}"#.utf8),
                headers: ["content-type": "application/json", "cookie": cookie])
            #expect(reply.status == 201, "\(reply.text)")
            created.append(try #require(reply.object["id"] as? String))
        }
        var messages: [[String: Any]] = []
        try await eventually("both tickets reach orders-on-ticket-created's queue", seconds: 30) {
            messages = try sqs.messages(queue("orders-on-ticket-created")).compactMap {
                try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
            }
            return messages.count == 2
        }
        let refused = try sqs.refused()
        #expect(refused.isEmpty, "every request was signed as AWS checks it: \(refused)")
        // Structured CloudEvents, as the Lambda mode reads each record's body; in commit order.
        #expect(messages.map { $0["type"] as? String } == ["ticket:created", "ticket:created"])
        #expect(messages.map { ($0["data"] as? [String: Any])?["id"] as? String } == created)
        #expect(
            messages.allSatisfy {
                $0["specversion"] as? String == "1.0" && $0["source"] as? String == "/ticketing/tickets"
            })
        #expect(try sqs.messages(queue("tickets-on-order-created")).isEmpty)
        #expect(dispatcher.stop() == 0)
    }

    @Test func anSQSQueueWithoutARegionStopsStartUpWithOneLine() throws {
        var runner = CommandRunner()
        let targets = try FunctionCommandTests.eventFunctions()
        runner.environment = [
            "JWT_KEY": Self.key,
            "FUNCTION_URLS": targets.map { "\($0)=sqs+http://127.0.0.1:9/000000000000/\($0)" }.joined(separator: ","),
        ]
        defer { runner.cleanUp() }
        let refused = try runner.run(["dispatcher"])
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("needs a region: set AWS_REGION"), "\(refused.stderr)")
        #expect(refused.stderr.split(separator: "\n").count == 1, "\(refused.stderr)")
    }
}

/// Tests/Support/fake_sqs.py on a free loopback port.
final class FakeSQS: @unchecked Sendable {
    let process: ChildProcess
    let port: Int

    init() throws {
        process = try ChildProcess(
            "/usr/bin/env", ["python3", CommandRunner.root.appendingPathComponent("Tests/Support/fake_sqs.py").path],
            output: .pipe)
        let line = String(decoding: process.output?.availableData ?? Data(), as: UTF8.self)
        guard let port = Int(line.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: " ").last ?? "")
        else {
            process.terminate()
            throw ServerProcess.StartFailure(description: "fake_sqs.py did not start: \(line)")
        }
        self.port = port
    }

    /// The bodies of the messages sent to `queue`.
    func messages(_ queue: String) throws -> [String] {
        ((try state()["queues"] as? [String: [String]]) ?? [:])[queue] ?? []
    }

    /// Why requests were refused.
    func refused() throws -> [String] {
        (try state()["refused"] as? [String]) ?? []
    }

    private func state() throws -> [String: Any] {
        let completed = try ChildProcess.run(
            "/usr/bin/env", ["curl", "-s", "http://127.0.0.1:\(port)/messages"])
        return (try JSONSerialization.jsonObject(with: Data(completed.output.utf8)) as? [String: Any]) ?? [:]
    }

    func stop() {
        process.terminate()
        process.waitUntilExit()
    }
}
