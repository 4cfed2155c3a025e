import Foundation
import Testing

/// `ticketing events dead` and `ticketing events redrive` on a real data directory.
@Suite struct DeadLetterCommandTests {
    @Test func anEventThatKeepsFailingIsListedAndCanBePutBack() throws {
        let cli = CommandRunner()
        defer { cli.cleanUp() }
        #expect(try cli.run(["events", "dead"]).stdout == "no dead letters\n")
        // An expiry for an order nobody knows: orders placed every order itself, so waiting cannot bring it;
        // it fails until its attempts run out (not deferred, which would hold up the expiries after it).
        // --advance moves this invocation's clock through the backoff.
        let fired = try cli.run(
            ["invoke", "expiration-fire", "--event", "-", "--advance", "10m"],
            stdin: #"{"orderId":"no-such-order"}"#)
        #expect(fired.status == 0, "\(fired.stderr)")
        #expect(fired.stderr.contains("→ orders-on-expiration-complete: failed (attempt 8)"), "\(fired.stderr)")
        #expect(fired.stderr.contains("[dead-lettered]"), "\(fired.stderr)")

        let dead = try cli.run(["events", "dead"])
        #expect(dead.stdout.hasPrefix("#1  orders-on-expiration-complete  expiration:complete"), "\(dead.stdout)")
        #expect(dead.stdout.contains("8 attempts"))
        #expect(dead.stdout.contains("no-such-order"))
        let json = try cli.run(["events", "dead", "--output", "json"])
        let letters = try #require(json.json as? [[String: Any]])
        #expect(letters.first?["consumer"] as? String == "orders-on-expiration-complete")
        #expect((letters.first?["event"] as? [String: Any])?["type"] as? String == "expiration:complete")

        let missing = try cli.run(["events", "redrive", "7"])
        #expect(missing.status != 0)
        #expect(missing.stderr.contains("no dead letter #7"))
        let redrive = try cli.run(["events", "redrive", "--all"])
        #expect(redrive.stdout == "put back 1 dead letter\n")
        #expect(try cli.run(["events", "dead"]).stdout == "no dead letters\n")
        #expect(try cli.run(["events", "dead", "--all"]).stdout.contains("(being redriven)"))
        #expect(try cli.run(["events", "redrive"]).status != 0, "names or --all are required")
    }

    @Test func anEventWaitingForItsNextTryIsListed() throws {
        let cli = CommandRunner()
        defer { cli.cleanUp() }
        #expect(try cli.run(["events", "waiting"]).stdout == "nothing waiting\n")
        let fired = try cli.run(
            ["invoke", "expiration-fire", "--event", "-", "--advance", "2s"], stdin: #"{"orderId":"no-such-order"}"#)
        #expect(fired.status == 0, "\(fired.stderr)")
        let waiting = try cli.run(["events", "waiting"])
        #expect(
            waiting.stdout.hasPrefix("orders-on-expiration-complete  events from expiration  4 failed attempts"),
            "\(waiting.stdout)")
        #expect(waiting.stdout.contains("expiration of unknown order no-such-order"))
        let json = try #require(try cli.run(["events", "waiting", "--output", "json"]).json as? [[String: Any]])
        #expect(json.first?["deferrals"] as? Int == 0)
        #expect(json.first?["kind"] as? String == "event")
    }
}
