import Auth
import Foundation
import FunctionKit
import FunctionTesting
import Tickets

// Benchmarks that print figures (run with `swift run -c release ticketing-benchmarks`). They time, they
// do not judge: targets are compared by people, not asserted by tests.

func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    return sorted.isEmpty ? 0 : sorted[sorted.count / 2]
}

func milliseconds(_ body: () throws -> Void) rethrows -> Double {
    let start = ContinuousClock.now
    try body()
    let elapsed = ContinuousClock.now - start
    return Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
}

func report(_ name: String, _ samples: [Double]) {
    let sorted = samples.sorted()
    let p90 = sorted.isEmpty ? 0 : sorted[min(sorted.count - 1, Int(Double(sorted.count) * 0.9))]
    let label = name.padding(toLength: 44, withPad: " ", startingAt: 0)
    print(label + String(format: "median %8.3f ms   p90 %8.3f ms   (n=%d)", median(samples), p90, samples.count))
}

/// Everything the benchmarks do, in order; `arguments` may ask for one request profile instead.
func benchmarks(_ arguments: [String]) async throws {
    // `requests get|post N`: only answer N requests in-process (for callgrind, see RequestProfile).
    if arguments.count == 4, arguments[1] == "requests", let count = Int(arguments[3]) {
        try await RequestProfile.run(arguments[2], count: count)
        return
    }

    // 1. Password hashing at the production cost.
    let hasher = PasswordHasher()
    var hashing: [Double] = []
    for _ in 0..<15 { hashing.append(try milliseconds { _ = try hasher.hash("correct horse battery staple") }) }
    report("scrypt hash (N=2^14, r=8, p=1)", hashing)

    // 2. tickets-show in-process, through the invoker (session resolution, SQLite read, JSON).
    let inProcess = try await TestHarness.with(services: [TicketsService.definition()]) { harness -> [Double] in
        let token = try await harness.token(userID: "u1", email: "u1@example.com")
        let created = try await harness.http("tickets-create", body: #"{"title":"Bench","price":10}"#, token: token)
        let id = created.string("id") ?? ""
        var samples: [Double] = []
        for _ in 0..<2000 {
            let start = ContinuousClock.now
            _ = try await harness.http("tickets-show", pathParameters: ["id": id])
            let elapsed = ContinuousClock.now - start
            samples.append(Double(elapsed.components.attoseconds) / 1e15 + Double(elapsed.components.seconds) * 1000)
        }
        return samples
    }
    report("tickets-show in-process", inProcess)

    // 3. `ticketing invoke tickets-show` as a whole process (start, migrate check, run, print).
    let binary = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent(
        "ticketing")
    guard FileManager.default.isExecutableFile(atPath: binary.path) else {
        print("ticketing binary not found next to the benchmarks (\(binary.path)); build it with the same configuration")
        exit(1)
    }
    let dataDirectory = FileManager.default.temporaryDirectory.appendingPathComponent(
        "ticketing-bench-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: dataDirectory) }

    func run(_ arguments: [String], stdin: Data? = nil) throws -> Data {
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments + ["--data-dir", dataDirectory.path]
        let output = Pipe()
        let input = Pipe()
        process.standardOutput = output
        process.standardInput = input
        process.standardError = FileHandle.nullDevice
        try process.run()
        if let stdin { input.fileHandleForWriting.write(stdin) }
        try input.fileHandleForWriting.close()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return data
    }

    let createEvent = try run([
        "events", "generate", "tickets-create", "--user", "bench@example.com", "--body", #"{"title":"Bench","price":10}"#,
    ])
    let created = try JSONValue(parsing: try run(["invoke", "tickets-create", "--event", "-"], stdin: createEvent))
    let ticketID = created["body"]?.stringValue.flatMap { try? JSONValue(parsing: Data($0.utf8)) }?["id"]?.stringValue ?? ""
    let showEvent = try run(["events", "generate", "tickets-show", "--path", "id=\(ticketID)"])
    let eventFile = dataDirectory.appendingPathComponent("show.json")
    try showEvent.write(to: eventFile)
    var wholeProcess: [Double] = []
    for _ in 0..<21 {
        wholeProcess.append(try milliseconds { _ = try run(["invoke", "tickets-show", "--event", eventFile.path]) })
    }
    report("ticketing invoke tickets-show (process)", wholeProcess)

    // 4. The local runtime: gateway throughput next to bare Hummingbird, delivery latency, scheduler lateness.
    try await GatewayBenchmark.run()
    try await DeliveryBenchmark.run()
}

// The main thread waits for the benchmarks instead of handing itself to Dispatch (an `async` main ends the
// main thread with `pthread_exit`, which valgrind 3.19, Debian 12's, cannot follow: callgrind needs this). The
// task is detached: top-level code is on the main actor, whose thread is the one waiting here.
let finished = DispatchSemaphore(value: 0)
let arguments = CommandLine.arguments
nonisolated(unsafe) var failure: (any Error)?
Task.detached {
    do {
        try await benchmarks(arguments)
    } catch {
        failure = error
    }
    finished.signal()
}
finished.wait()
if let failure {
    print("benchmarks failed: \(failure)")
    exit(1)
}
