import Foundation

/// A signed-in user of a running server, and the marketplace calls the end-to-end tests make.
struct Shopper {
    let server: ServerProcess
    let cookie: String
    let id: String

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    static func signUp(_ email: String, on server: ServerProcess) async throws -> Shopper {
        let reply = try await server.json("POST", "/api/users/signup", #"{"email":"\#(email)","password":"secret"}"#)
        guard reply.status == 201, let cookie = reply.headers["set-cookie"].map({ String($0.prefix { $0 != ";" }) }),
            let id = reply.object["id"] as? String
        else { throw Failure(description: "sign-up of \(email) failed: \(reply.status) \(reply.text)") }
        return Shopper(server: server, cookie: cookie, id: id)
    }

    func list(_ title: String, price: String = "20") async throws -> String {
        let reply = try await server.json(
            "POST", "/api/tickets", #"{"title":"\#(title)","price":\#(price)}"#, cookie: cookie)
        guard reply.status == 201, let id = reply.object["id"] as? String else {
            throw Failure(description: "listing failed: \(reply.status) \(reply.text)")
        }
        return id
    }

    func order(_ ticketID: String) async throws -> ServerProcess.Reply {
        try await server.json("POST", "/api/orders", #"{"ticketId":"\#(ticketID)"}"#, cookie: cookie)
    }

    /// Orders `ticketID` once the orders service has heard of it (ordering answers 404 until then).
    func orderWhenKnown(_ ticketID: String) async throws -> ServerProcess.Reply {
        var reply = try await order(ticketID)
        try await eventually("orders learns of ticket \(ticketID)") {
            guard reply.status == 404 else { return true }
            reply = try await order(ticketID)
            return reply.status != 404
        }
        return reply
    }

    func get(_ path: String) async throws -> ServerProcess.Reply {
        try await server.json("GET", path, cookie: cookie)
    }
}

/// Waits until `condition` holds, checking every 50 ms, for at most `seconds` (the runtime's work is
/// asynchronous: replicas, reservations and expiry happen through events).
func eventually(_ what: String, seconds: Double = 20, _ condition: () async throws -> Bool) async throws {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if try await condition() { return }
        try await Task.sleep(for: .milliseconds(50))
    }
    throw Shopper.Failure(description: "timed out after \(seconds) s waiting until \(what)")
}
