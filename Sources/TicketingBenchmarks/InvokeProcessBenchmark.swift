import Foundation
import FunctionKit

/// `ticketing invoke tickets-show` as a whole process, and `ticketing --help` beside it (the floor of
/// starting the binary at all).
enum InvokeProcessBenchmark {
    static func run(binary: URL) throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "ticketing-bench-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let (id, _) = try ServeBenchmark.ticket(binary: binary, directory: directory)
        let event = try Command.run(
            binary, ["events", "generate", "tickets-show", "--path", "id=\(id)", "--data-dir", directory.path])
        let eventFile = directory.appendingPathComponent("show.json")
        try event.write(to: eventFile)
        let invoke = ["invoke", "tickets-show", "--event", eventFile.path, "--data-dir", directory.path]
        var help: [Double] = []
        var whole: [Double] = []
        for _ in 0..<21 {
            help.append(try milliseconds { _ = try Command.run(binary, ["--help"]) })
            whole.append(try milliseconds { _ = try Command.run(binary, invoke) })
        }
        report("ticketing --help (process)", help)
        report("ticketing invoke tickets-show (process)", whole, goal: "median ≤ 10 ms")
    }
}
