import Foundation
import Testing

/// The whole marketplace on `ticketing serve`: gateway, event delivery and scheduled expiry together.
@Suite struct MarketplaceTests {
    @Test func buyCancelAndReorder() async throws {
        let server = try ServerProcess()
        defer { server.stop() }
        #expect(server.stdout.contains("order:created") && server.stdout.contains("→ tickets-on-order-created"))
        #expect(server.stdout.contains("expiration-fire"))
        let alice = try await Shopper.signUp("alice@example.com", on: server)
        let bob = try await Shopper.signUp("bob@example.com", on: server)
        let ticket = try await alice.list("Concert", price: "25.5")

        let ordered = try await bob.orderWhenKnown(ticket)
        #expect(ordered.status == 201, "\(ordered.text)")
        #expect(ordered.object["status"] as? String == "created")
        let orderID = try #require(ordered.object["id"] as? String)
        let own = try await alice.order(ticket)
        #expect(own.status == 403)
        #expect(own.text.contains("Cannot order your own ticket"))

        try await eventually("the ticket is reserved") {
            try await alice.get("/api/tickets/\(ticket)").object["orderId"] as? String == orderID
        }
        let listed = try await server.request("GET", "/api/tickets")
        #expect((listed.json as? [[String: Any]])?.contains { $0["id"] as? String == ticket } == false)
        let edit = try await server.json(
            "PUT", "/api/tickets/\(ticket)", #"{"title":"Concert","price":30}"#, cookie: alice.cookie)
        #expect(edit.status == 400)
        #expect(edit.text.contains("Cannot edit a reserved ticket"))
        let sellerView = try await alice.get("/api/orders/\(orderID)")
        #expect(sellerView.status == 200)

        let cancelled = try await server.json("DELETE", "/api/orders/\(orderID)", cookie: bob.cookie)
        #expect(cancelled.status == 204)
        try await eventually("the ticket is released") {
            let shown = try await alice.get("/api/tickets/\(ticket)").object
            return shown["orderId"] == nil && shown["version"] as? Int == 2
        }

        let again = try await bob.order(ticket)
        #expect(again.status == 201, "\(again.text)")
        let secondID = try #require(again.object["id"] as? String)
        try await eventually("the ticket is reserved again") {
            let shown = try await alice.get("/api/tickets/\(ticket)").object
            return shown["orderId"] as? String == secondID && shown["version"] as? Int == 3
        }
        let mine = try await bob.get("/api/orders")
        let statuses = (mine.json as? [[String: Any]])?.compactMap { $0["status"] as? String }
        #expect(statuses == ["cancelled", "created"])
        let sales = try await alice.get("/api/orders?role=seller")
        #expect((sales.json as? [[String: Any]])?.count == 2)
    }

    /// A short expiration window, so the unpaid order expires while the test waits; nothing else in this
    /// test depends on how long the order lives, so a slow machine cannot make it flaky.
    @Test func anUnpaidOrderExpiresAndReleasesItsTicket() async throws {
        let server = try ServerProcess(environment: ["EXPIRATION_WINDOW_SECONDS": "2"])
        defer { server.stop() }
        let alice = try await Shopper.signUp("alice@example.com", on: server)
        let bob = try await Shopper.signUp("bob@example.com", on: server)
        let ticket = try await alice.list("Concert", price: "25.5")
        let ordered = try await bob.orderWhenKnown(ticket)
        #expect(ordered.status == 201, "\(ordered.text)")
        let orderID = try #require(ordered.object["id"] as? String)

        try await eventually("the order expires and releases the ticket", seconds: 30) {
            let order = try await bob.get("/api/orders/\(orderID)").object
            let shown = try await alice.get("/api/tickets/\(ticket)").object
            return order["status"] as? String == "cancelled" && shown["orderId"] == nil
                && shown["version"] as? Int == 2
        }
        let listed = try await server.request("GET", "/api/tickets")
        #expect((listed.json as? [[String: Any]])?.contains { $0["id"] as? String == ticket } == true)
        let again = try await bob.order(ticket)
        #expect(again.status == 201, "\(again.text)")
    }

    @Test func payForAnOrderWithTheMockStripe() async throws {
        let server = try ServerProcess(environment: ["LOG_LEVEL": "info"])
        defer { server.stop() }
        #expect(server.stdout.contains("Stripe: mock"), "\(server.stdout)")
        let alice = try await Shopper.signUp("alice@example.com", on: server)
        let bob = try await Shopper.signUp("bob@example.com", on: server)
        let ticket = try await alice.list("Concert", price: "19.99")
        let orderID = try #require(try await bob.orderWhenKnown(ticket).object["id"] as? String)

        func pay(_ token: String) async throws -> ServerProcess.Reply {
            try await server.json(
                "POST", "/api/payments", #"{"orderId":"\#(orderID)","token":"\#(token)"}"#, cookie: bob.cookie)
        }
        // Payments hears of the order through order:created: until then it is 404.
        var declined = try await pay("tok_chargeDeclinedInsufficientFunds")
        try await eventually("payments learns of the order") {
            guard declined.status == 404 else { return true }
            declined = try await pay("tok_chargeDeclinedInsufficientFunds")
            return declined.status != 404
        }
        #expect(declined.status == 402, "\(declined.text)")
        let declineError = (declined.object["errors"] as? [[String: Any]])?.first
        #expect(declineError?["message"] as? String == "Your card has insufficient funds.")
        #expect(declineError?["code"] as? String == "insufficient_funds")

        let paid = try await pay("tok_visa")
        #expect(paid.status == 201, "\(paid.text)")
        #expect(paid.object["orderId"] as? String == orderID)
        #expect((paid.object["stripeId"] as? String)?.hasPrefix("ch_") == true)
        let twice = try await pay("tok_visa")
        #expect(twice.status == 400)
        #expect(twice.text.contains("Order is already paid"))

        try await eventually("the order is complete") {
            try await bob.get("/api/orders/\(orderID)").object["status"] as? String == "complete"
        }
        let cancel = try await server.json("DELETE", "/api/orders/\(orderID)", cookie: bob.cookie)
        #expect(cancel.status == 400)
        #expect(cancel.text.contains("Cannot cancel a completed order"))
        #expect(try await alice.get("/api/tickets/\(ticket)").object["orderId"] as? String == orderID)
        // One charge went through, for 19.99 exactly.
        let charges = server.stderr.split(separator: "\n").filter { $0.contains("charged") && $0.contains(orderID) }
        #expect(charges.count == 1, "\(charges)")
        #expect(charges.first?.contains("amount=1999") == true, "\(charges)")
        // With the invocation's own metadata (set on the handler's logger, rendered when the line is written).
        #expect(charges.first?.contains("request=") == true, "\(charges)")
        #expect(charges.first?.contains("function=") == true, "\(charges)")
    }

    @Test func aCancelledOrExpiredOrderIsNotCharged() async throws {
        let server = try ServerProcess(environment: ["LOG_LEVEL": "info", "EXPIRATION_WINDOW_SECONDS": "2"])
        defer { server.stop() }
        let alice = try await Shopper.signUp("alice@example.com", on: server)
        let bob = try await Shopper.signUp("bob@example.com", on: server)
        let first = try await alice.list("First")
        let cancelledID = try #require(try await bob.orderWhenKnown(first).object["id"] as? String)
        #expect(try await server.json("DELETE", "/api/orders/\(cancelledID)", cookie: bob.cookie).status == 204)
        // Payments learns of the cancellation through order:cancelled; until then a declining card probes it
        // without charging anything.
        try await eventually("payments hears the order was cancelled") {
            let reply = try await server.json(
                "POST", "/api/payments", #"{"orderId":"\#(cancelledID)","token":"tok_chargeDeclined"}"#,
                cookie: bob.cookie)
            return reply.status == 400 && reply.text.contains("Cannot pay for an cancelled order")
        }
        let refused = try await server.json(
            "POST", "/api/payments", #"{"orderId":"\#(cancelledID)","token":"tok_visa"}"#, cookie: bob.cookie)
        #expect(refused.status == 400)
        #expect(refused.text.contains("Cannot pay for an cancelled order"))
        let second = try await alice.list("Second")
        let expiringID = try #require(try await bob.orderWhenKnown(second).object["id"] as? String)
        try await eventually("the order expires", seconds: 30) {
            try await bob.get("/api/orders/\(expiringID)").object["status"] as? String == "cancelled"
        }
        let late = try await server.json(
            "POST", "/api/payments", #"{"orderId":"\#(expiringID)","token":"tok_visa"}"#, cookie: bob.cookie)
        #expect(late.status == 400)
        #expect(
            late.text.contains("Order has expired") || late.text.contains("Cannot pay for an cancelled order"),
            "\(late.text)")
        #expect(!server.stderr.contains("charged"), "\(server.stderr)")
    }

    @Test func fiftyConcurrentOrdersForOneTicketMakeExactlyOneOrder() async throws {
        let server = try ServerProcess()
        defer { server.stop() }
        let alice = try await Shopper.signUp("alice@example.com", on: server)
        let bob = try await Shopper.signUp("bob@example.com", on: server)
        let ticket = try await alice.list("Final")
        // The seller's own order answers 403 once the orders service knows the ticket, 404 before.
        try await eventually("orders learns of the ticket") { try await alice.order(ticket).status == 403 }
        let statuses = try await withThrowingTaskGroup(of: (Int, String).self) { group in
            for _ in 0..<50 {
                group.addTask {
                    let reply = try await bob.order(ticket)
                    return (reply.status, reply.text)
                }
            }
            var all: [(Int, String)] = []
            for try await reply in group { all.append(reply) }
            return all
        }
        #expect(statuses.filter { $0.0 == 201 }.count == 1)
        #expect(statuses.filter { $0.0 == 400 && $0.1.contains("Ticket is already reserved") }.count == 49)
        let orders = try await bob.get("/api/orders")
        #expect((orders.json as? [[String: Any]])?.count == 1)
    }

    @Test func aCrashMidCascadeConvergesAfterRestart() async throws {
        let runner = CommandRunner()
        let environment = ["EXPIRATION_WINDOW_SECONDS": "3"]
        let first = try ServerProcess(environment: environment, runner: runner)
        let alice = try await Shopper.signUp("alice@example.com", on: first)
        let bob = try await Shopper.signUp("bob@example.com", on: first)
        let ticket = try await alice.list("Crash test")
        let ordered = try await bob.orderWhenKnown(ticket)
        #expect(ordered.status == 201)
        let orderID = try #require(ordered.object["id"] as? String)
        // A burst of listings, then SIGKILL without waiting: their ticket:created events are committed in
        // the outbox, some delivered and some not, and the order's expiry timer is still pending.
        let burst = try await withThrowingTaskGroup(of: String.self) { group in
            for index in 0..<20 { group.addTask { try await alice.list("Burst \(index)") } }
            var ids: [String] = []
            for try await id in group { ids.append(id) }
            return ids
        }
        first.crash()

        let second = try ServerProcess(environment: environment, runner: runner)
        defer { second.stop() }
        let alice2 = Shopper(server: second, cookie: alice.cookie, id: alice.id)
        let bob2 = Shopper(server: second, cookie: bob.cookie, id: bob.id)
        try await eventually("the order expires after the restart and the ticket is released", seconds: 30) {
            let order = try await bob2.get("/api/orders/\(orderID)").object
            let shown = try await alice2.get("/api/tickets/\(ticket)").object
            return order["status"] as? String == "cancelled" && shown["orderId"] == nil
        }
        // Every listing accepted before the crash reaches the orders service after it.
        for id in burst {
            try await eventually("orders learns of ticket \(id)") { try await alice2.order(id).status == 403 }
        }
        // Reserved once and released once, cancelled once: no effect happened twice.
        #expect(try await alice2.get("/api/tickets/\(ticket)").object["version"] as? Int == 2)
        #expect(try await bob2.get("/api/orders/\(orderID)").object["version"] as? Int == 1)
        let dead = try runner.run(["events", "dead"])
        #expect(dead.stdout.contains("no dead letters"), "\(dead.stdout)")
    }
}
