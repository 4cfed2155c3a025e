import ChildProcess
import Foundation
import Testing

/// Several `ticketing serve` replicas on one PostgreSQL database, one of them killed mid-burst. Runs when
/// `TICKETING_TEST_POSTGRES_URL` names a server (`scripts/test` starts one); each test gets its own database.
@Suite(
    .enabled(if: testPostgresServer != nil, "needs TICKETING_TEST_POSTGRES_URL (scripts/test starts a server)"),
    .timeLimit(.minutes(5)))
struct ReplicaTests {
    static var server: URLComponents? { testPostgresServer }
    /// A key every replica signs and checks sessions with, as a deployment shares it.
    static let key = "replica-test-key-0123456789-abcdefghijklmnopqrstuvwxyz-0123456789"

    @Test func threeReplicasDeliverEverythingOnceEvenWhenOneIsKilled() async throws {
        let database = try TestDatabase.create()
        defer { database.drop() }
        let environment = [
            "DATABASE_URL": database.url, "JWT_KEY": Self.key, "EXPIRATION_WINDOW_SECONDS": "6",
        ]
        let replicas = try (0..<3).map { _ in try ServerProcess(environment: environment) }
        defer { for replica in replicas { replica.stop() } }
        for replica in replicas { #expect(replica.stdout.contains("storage: postgres://")) }

        let alice = try await Shopper.signUp("alice@example.com", on: replicas[0])
        let bob = try await Shopper.signUp("bob@example.com", on: replicas[1])
        let seller: @Sendable (Int) -> Shopper = { index in
            Shopper(server: replicas[index], cookie: alice.cookie, id: alice.id)
        }
        let buyer: @Sendable (Int) -> Shopper = { index in
            Shopper(server: replicas[index], cookie: bob.cookie, id: bob.id)
        }

        // Listings through every replica; each reaches the orders service whichever replica delivers it.
        var tickets: [String] = []
        for index in 0..<12 { tickets.append(try await seller(index % 3).list("Show \(index)")) }
        for (index, ticket) in tickets.enumerated() {
            try await eventually("orders learns of ticket \(ticket)", seconds: 30) {
                try await seller(index % 2).order(ticket).status == 403
            }
        }

        // A burst of orders through all three. Replica 2 takes its share one after the other and is killed
        // with SIGKILL right after accepting two: the events and expiry timers it committed are left for the
        // other two to deliver and fire, and whatever it was delivering at that moment is taken over.
        let ordered = tickets
        let victim = replicas[2]
        let statuses = try await withThrowingTaskGroup(of: [Int?].self) { group in
            for (index, ticket) in ordered.enumerated() where index % 3 != 2 {
                group.addTask { [try? await buyer(index % 3).order(ticket).status] }
            }
            group.addTask {
                var answers: [Int?] = []
                for (index, ticket) in ordered.enumerated() where index % 3 == 2 {
                    guard answers.filter({ $0 == 201 }).count < 2 else {
                        victim.crash()
                        answers.append(nil)
                        continue
                    }
                    answers.append(try? await buyer(2).order(ticket).status)
                }
                return answers
            }
            return try await group.reduce(into: [Int?]()) { $0 += $1 }
        }
        let accepted = statuses.filter { $0 == 201 }.count
        #expect(accepted == 10, "8 through the survivors and 2 through the killed replica: \(statuses)")

        // No oversell: ten buyers' worth of concurrent orders for one more ticket make one order.
        let last = try await seller(0).list("Last one")
        try await eventually("orders learns of the last ticket", seconds: 30) {
            try await seller(1).order(last).status == 403
        }
        let race = try await withThrowingTaskGroup(of: Int.self) { group in
            for index in 0..<10 { group.addTask { try await buyer(index % 2).order(last).status } }
            return try await group.reduce(into: [Int]()) { $0.append($1) }
        }
        #expect(race.filter { $0 == 201 }.count == 1, "\(race)")

        // Every order that exists (the killed replica may have committed some it never answered) is reserved
        // once, expires once and is released once, whichever replica fired or delivered what.
        let orders = try #require(try await buyer(0).get("/api/orders").json as? [[String: Any]])
        #expect(orders.count >= accepted + 1)
        for order in orders {
            let id = try #require(order["id"] as? String)
            let ticket = try #require((order["ticket"] as? [String: Any])?["id"] as? String)
            try await eventually("order \(id) expires and its ticket is released", seconds: 60) {
                let shown = try await buyer(1).get("/api/orders/\(id)").object
                let listed = try await seller(0).get("/api/tickets/\(ticket)").object
                return shown["status"] as? String == "cancelled" && listed["orderId"] == nil
                    && listed["version"] as? Int == 2
            }
            #expect(try await buyer(0).get("/api/orders/\(id)").object["version"] as? Int == 1)
        }
        var runner = CommandRunner()
        runner.environment = environment
        defer { runner.cleanUp() }
        let dead = try runner.run(["events", "dead"])
        #expect(dead.stdout.contains("no dead letters"), "\(dead.stdout) \(dead.stderr)")
    }
}

/// The PostgreSQL server the end-to-end tests may use.
let testPostgresServer = ProcessInfo.processInfo.environment["TICKETING_TEST_POSTGRES_URL"].flatMap {
    $0.isEmpty ? nil : URLComponents(string: $0)
}

/// A database of its own on the test server, made and dropped with `psql`.
struct TestDatabase {
    let name: String
    let url: String

    static func create() throws -> TestDatabase {
        guard var components = ReplicaTests.server else { throw Shopper.Failure(description: "no server") }
        let name = "replicas_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        try psql("CREATE DATABASE \(name)")
        components.path = "/\(name)"
        return TestDatabase(name: name, url: components.string ?? "")
    }

    func drop() {
        try? Self.psql("DROP DATABASE IF EXISTS \(name) WITH (FORCE)")
    }

    static func psql(_ statement: String) throws {
        let psql = try ChildProcess.run(
            "/usr/bin/env", ["psql", ReplicaTests.server?.string ?? "", "-q", "-c", statement])
        guard psql.status == 0 else {
            throw Shopper.Failure(description: "psql failed: \(statement): \(psql.error)")
        }
    }
}
