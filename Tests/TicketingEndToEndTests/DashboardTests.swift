import Foundation
import Testing

/// The Grafana dashboard (runtime/grafana/dashboards/ticketing.json) and the Prometheus scrape config
/// (runtime/prometheus.yml) against what the runtime really exports, read from a live `/metrics`.
@Suite(.enabled(if: testPostgresServer != nil, "needs PostgreSQL for the pool metrics (scripts/test starts a server)"))
struct DashboardTests {
    static let dashboard = CommandRunner.root.appendingPathComponent("runtime/grafana/dashboards/ticketing.json")

    /// Every PromQL query of the dashboard — its panels' and its variables' — as written.
    static func queries() throws -> [String] {
        let object = try JSONSerialization.jsonObject(with: Data(contentsOf: dashboard)) as? [String: Any] ?? [:]
        let panels = object["panels"] as? [[String: Any]] ?? []
        let targets = panels.flatMap { $0["targets"] as? [[String: Any]] ?? [] }.compactMap { $0["expr"] as? String }
        let variables = ((object["templating"] as? [String: Any])?["list"] as? [[String: Any]] ?? []).compactMap {
            $0["definition"] as? String
        }
        return targets + variables
    }

    /// The metrics a query names (`ticketing_…`), and for each the labels it groups or filters by.
    static func names(in query: String) -> [(metric: String, labels: Set<String>)] {
        var found: [(String, Set<String>)] = []
        let scalars = Array(query.unicodeScalars)
        var index = 0
        func isName(_ scalar: Unicode.Scalar) -> Bool {
            CharacterSet.alphanumerics.contains(scalar) || scalar == "_"
        }
        while index < scalars.count {
            guard isName(scalars[index]), index == 0 || !isName(scalars[index - 1]) else {
                index += 1
                continue
            }
            var end = index
            while end < scalars.count, isName(scalars[end]) { end += 1 }
            let word = String(String.UnicodeScalarView(scalars[index..<end]))
            index = end
            guard word.hasPrefix("ticketing_") else { continue }
            var labels: Set<String> = []
            // Its matchers: `{name="…", other=~"…"}` right after the name.
            if index < scalars.count, scalars[index] == "{",
                let close = scalars[index...].firstIndex(of: "}")
            {
                let inside = String(String.UnicodeScalarView(scalars[(index + 1)..<close]))
                for matcher in inside.split(separator: ",") {
                    let name = matcher.prefix { $0 != "=" && $0 != "!" }.trimmingCharacters(in: .whitespaces)
                    if !name.isEmpty { labels.insert(name) }
                }
            }
            found.append((word, labels))
        }
        // The labels of the `by (…)` clauses and `label_values(metric, label)` apply to every metric named.
        var grouped: Set<String> = []
        var rest = Substring(query)
        while let by = rest.range(of: "by (") {
            let clause = rest[by.upperBound...].prefix { $0 != ")" }
            grouped.formUnion(clause.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
            rest = rest[by.upperBound...]
        }
        if query.hasPrefix("label_values("), let label = query.dropLast().split(separator: ",").last {
            grouped.insert(label.trimmingCharacters(in: .whitespaces))
        }
        grouped.remove("le")
        return found.map { ($0.0, $0.1.union(grouped)) }
    }

    /// One metric family of an exposition: its type and the labels its series carry.
    struct Family {
        var type = ""
        var labels: Set<String> = []
    }

    /// The families of Prometheus's text format, by name (a histogram's `_bucket`, `_count` and `_sum` series
    /// are also listed under those names).
    static func families(_ text: String) -> [String: Family] {
        var families: [String: Family] = [:]
        for line in text.split(separator: "\n") {
            if line.hasPrefix("# TYPE ") {
                let parts = line.split(separator: " ")
                guard parts.count >= 4 else { continue }
                families[String(parts[2]), default: Family()].type = String(parts[3])
                continue
            }
            guard !line.hasPrefix("#") else { continue }
            let name = String(line.prefix { $0 != "{" && $0 != " " })
            var labels: Set<String> = []
            if let open = line.firstIndex(of: "{"), let close = line.firstIndex(of: "}") {
                for pair in line[line.index(after: open)..<close].split(separator: ",") {
                    labels.insert(String(pair.prefix { $0 != "=" }))
                }
            }
            families[name, default: Family()].labels.formUnion(labels)
        }
        return families
    }

    /// A `serve` on PostgreSQL that has answered requests, delivered events and fired a timer (an order left
    /// unpaid past a one-second window) answers `/metrics` with every metric the dashboard queries, with the
    /// labels it groups and filters them by.
    @Test func everyQueryOfTheDashboardNamesAMetricTheRuntimeExports() async throws {
        let database = try TestDatabase.create()
        defer { database.drop() }
        let server = try ServerProcess(environment: [
            "DATABASE_URL": database.url, "EXPIRATION_WINDOW_SECONDS": "1",
            "JWT_KEY": "dashboard-test-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        ])
        defer { server.stop() }
        let alice = try await Shopper.signUp("alice@example.com", on: server)
        let bob = try await Shopper.signUp("bob@example.com", on: server)
        let ticket = try await alice.list("Concert", price: "10")
        let orderID = try #require(try await bob.orderWhenKnown(ticket).object["id"] as? String)
        try await eventually("the unpaid order expires", seconds: 30) {
            try await bob.get("/api/orders/\(orderID)").object["status"] as? String == "cancelled"
        }
        var families: [String: Family] = [:]
        try await eventually("the expiry's timer is counted") {
            families = Self.families(try await server.request("GET", "/metrics").text)
            return families["ticketing_timer_lateness_seconds_count"] != nil
        }
        let queries = try Self.queries()
        #expect(queries.count >= 15)
        var named: Set<String> = []
        for query in queries {
            for (metric, labels) in Self.names(in: query) {
                named.insert(metric)
                let family = families[metric]
                #expect(family != nil, "\(metric), in \(query), is not exported")
                let missing = labels.subtracting(family?.labels ?? [])
                #expect(missing.isEmpty, "\(metric) has no label \(missing.sorted()), used in \(query)")
            }
        }
        // And every metric exported has a panel.
        let exported = Set(
            families.filter { $0.value.type != "" }.keys.filter { $0.hasPrefix("ticketing_") })
        let shown = Set(
            named.map { name in
                ["_bucket", "_count", "_sum"].first { name.hasSuffix($0) }.map { String(name.dropLast($0.count)) }
                    ?? name
            })
        #expect(exported.subtracting(shown).isEmpty, "exported but on no panel: \(exported.subtracting(shown))")
    }

    /// The scrape config lists every container compose.yaml runs that answers `/metrics`: the gateway, the
    /// dispatcher (given a port) and each function, on 8080.
    @Test func theScrapeConfigTargetsEveryContainer() throws {
        let config = try String(
            contentsOf: CommandRunner.root.appendingPathComponent("runtime/prometheus.yml"), encoding: .utf8)
        let targets = Set(
            config.split(separator: "\n").compactMap { line -> String? in
                // `- gateway:8080`, quoted or not.
                let text = line.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: "\"", with: "")
                return text.hasPrefix("- ") && text.hasSuffix(":8080") ? String(text.dropFirst(2).dropLast(5)) : nil
            })
        let functions = try FunctionCommandTests.httpFunctions()
        #expect(targets.isSuperset(of: ["gateway", "dispatcher"] + functions), "\(targets)")
        let compose = try String(
            contentsOf: CommandRunner.root.appendingPathComponent("runtime/compose.yaml"), encoding: .utf8)
        for target in targets { #expect(compose.contains("\n  \(target):\n"), "\(target) is not in compose.yaml") }
    }
}
