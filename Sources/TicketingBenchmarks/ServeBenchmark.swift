import ChildProcess
import Foundation
import FunctionKit

/// The real `ticketing serve` binary: its memory idle and after 100,000 requests, and — when
/// `TICKETING_BENCH_DATABASE_URL` names a PostgreSQL server (scripts/bench starts one) — its GET and POST
/// throughput on PostgreSQL next to `pgbench -N` on the same server with the same number of clients.
enum ServeBenchmark {
    static let connections = 16

    /// Measures `serve`'s memory when `memory` is set, and PostgreSQL when `postgres` is and a server is given.
    static func run(binary: URL, memory: Bool, postgres: Bool) throws {
        if memory { try self.memory(binary: binary) }
        guard postgres else { return }
        if let url = ProcessInfo.processInfo.environment["TICKETING_BENCH_DATABASE_URL"], !url.isEmpty {
            try self.postgres(binary: binary, url: url)
        } else {
            Figure.print("PostgreSQL", "skipped (TICKETING_BENCH_DATABASE_URL unset; scripts/bench sets it)")
        }
    }

    /// `serve`'s resident memory idle after start and after 100,000 GETs.
    static func memory(binary: URL) throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "ticketing-bench-serve-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        // The binary's pages count once `serve` has touched them, and a page fault maps the pages around it that
        // are in the page cache: a binary just built (all of it cached) looks several MB bigger than the same one
        // started cold. As root, the cache is emptied first, so the figure is the same from run to run.
        let coldCache = dropPageCache()
        let serve = try ServeProcess(binary: binary, dataDirectory: directory, environment: ["LOG_LEVEL": "info"])
        defer { serve.stop() }
        Thread.sleep(forTimeInterval: 1)
        Figure.print(
            coldCache ? "serve resident memory, idle (cold page cache)" : "serve resident memory, idle after start",
            serve.memory, goal: "≤ 30 MB")
        let (id, _) = try ticket(binary: binary, directory: directory)
        var answered = 0
        var rates: [Double] = []
        while answered < 100_000 {
            guard let load = try Load.run("\(serve.base)/api/tickets/\(id)", connections: connections) else { break }
            rates.append(load.requestsPerSecond)
            answered += load.requests
        }
        // `serve` as users run it: every request also writes its access-log line (LOG_LEVEL info). The median
        // run: the first one also pages the binary in from a cold cache.
        if !rates.isEmpty {
            let rate = rates.sorted()[rates.count / 2]
            let bare = GatewayBenchmark.bareGET.withLock { $0 }
            Figure.print(
                "GET /api/tickets/{id} through serve (access log)",
                Figure.number(rate) + " req/s" + (bare.map { ", ÷ bare " + Figure.number(rate / max(1, $0), 2) } ?? ""),
                goal: "≥ 0.6 of bare")
        }
        Figure.print("serve resident memory after \(answered) GETs", serve.memory, goal: "bounded (report)")
    }

    /// Empties the kernel's page cache (clean pages only, after `sync`) when this process may; says whether it did.
    static func dropPageCache() -> Bool {
        sync()
        guard let file = FileHandle(forWritingAtPath: "/proc/sys/vm/drop_caches") else { return false }
        defer { try? file.close() }
        return (try? file.write(contentsOf: Data("1".utf8))) != nil
    }

    /// GET and POST through `serve` on PostgreSQL, then pgbench's simple-update TPS on the same server.
    static func postgres(binary: URL, url: String) throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "ticketing-bench-pg-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let environment = ["DATABASE_URL": url]
        let serve = try ServeProcess(binary: binary, dataDirectory: directory, environment: environment)
        defer { serve.stop() }
        let (id, token) = try ticket(binary: binary, directory: directory, environment: environment)
        let post = Load.script(
            method: "POST", body: #"{"title":"Bench","price":10}"#, headers: ["Authorization": token])
        let get = try Load.run("\(serve.base)/api/tickets/\(id)", connections: connections)
        let created = try Load.run("\(serve.base)/api/tickets", connections: connections, script: post)
        let pgbench = try PGBench.tps(url: url, clients: connections)
        Figure.print(
            "PostgreSQL GET /api/tickets/{id} through serve", Figure.number(get?.requestsPerSecond ?? 0) + " req/s")
        Figure.print(
            "PostgreSQL POST /api/tickets through serve",
            Figure.number(created?.requestsPerSecond ?? 0) + " req/s"
                + ((created?.non2xx ?? 0) > 0 ? " (non-2xx \(created?.non2xx ?? 0))" : ""))
        guard let pgbench else {
            Figure.print("pgbench -N", PGBench.binary == nil ? "skipped (pgbench not found)" : "pgbench gave no figure")
            return
        }
        Figure.print("pgbench -N (simple update), \(connections) clients", Figure.number(pgbench) + " tps")
        Figure.print(
            "PostgreSQL POST ÷ pgbench -N", Figure.number((created?.requestsPerSecond ?? 0) / pgbench, 2),
            goal: "≥ 0.5")
    }

    /// Lists a ticket through `ticketing invoke` on the same storage; returns its id and the seller's
    /// `Authorization` header.
    static func ticket(binary: URL, directory: URL, environment: [String: String] = [:]) throws -> (String, String) {
        let event = try Command.run(
            binary,
            [
                "events", "generate", "tickets-create", "--user", "bench@example.com", "--body",
                #"{"title":"Bench","price":10}"#, "--data-dir", directory.path,
            ], environment: environment)
        let token = try JSONValue(parsing: event)["headers"]?["authorization"]?.stringValue ?? ""
        let created = try JSONValue(
            parsing: try Command.run(
                binary, ["invoke", "tickets-create", "--event", "-", "--data-dir", directory.path], stdin: event,
                environment: environment))
        let body = created["body"]?.stringValue.flatMap { try? JSONValue(parsing: Data($0.utf8)) }
        guard let id = body?["id"]?.stringValue else { throw BenchFailure("no ticket was created: \(created)") }
        return (id, token)
    }
}

/// Runs a command and returns its standard output.
enum Command {
    static func run(
        _ executable: URL, _ arguments: [String], stdin: Data? = nil, environment: [String: String] = [:]
    ) throws -> Data {
        var variables = ProcessInfo.processInfo.environment
        for (name, value) in environment { variables[name] = value }
        let process = try ChildProcess(
            executable.path, arguments, environment: variables, input: .pipe, output: .pipe, error: .null)
        if let stdin { try? process.input?.write(contentsOf: stdin) }
        try process.input?.close()
        let data = (try? process.output?.readToEnd()) ?? Data()
        process.waitUntilExit()
        return data
    }
}

/// pgbench, PostgreSQL's own benchmark, on the server the runtime used.
enum PGBench {
    static let binary = (try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql"))?.sorted().last
        .map { URL(fileURLWithPath: "/usr/lib/postgresql/\($0)/bin/pgbench") }

    /// `pgbench -N` transactions per second with `clients` clients, 2,000 transactions each, after
    /// `pgbench -i`. (A count, not `-T`: pgbench ends a timed run on SIGALRM, which a child of this process
    /// inherits blocked.)
    static func tps(url: String, clients: Int) throws -> Double? {
        guard let binary, FileManager.default.isExecutableFile(atPath: binary.path) else { return nil }
        let connection = url.split(separator: "?").first.map(String.init) ?? url
        _ = try Command.run(binary, ["-i", "-q", "-s", "1", connection])
        let output = try Command.run(binary, ["-N", "-c", "\(clients)", "-j", "2", "-t", "2000", connection])
        let line = String(decoding: output, as: UTF8.self).split(separator: "\n").first { $0.hasPrefix("tps = ") }
        return line.flatMap { Double($0.dropFirst("tps = ".count).split(separator: " ").first ?? "") }
    }
}
