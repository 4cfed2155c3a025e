import Foundation

extension ChildProcess {
    /// What a program that ran to its end printed, and how it ended.
    public struct Completed: Sendable {
        /// The exit code, or the number of the signal that ended it.
        public var status: Int32
        /// Its standard output.
        public var output: String
        /// Its standard error.
        public var error: String
    }

    /// Runs `executable` to its end with `input` (nil: `/dev/null`) on its standard input; its output and
    /// errors go through files, so neither can fill a pipe while the other is read.
    public static func run(
        _ executable: String, _ arguments: [String] = [], environment: [String: String]? = nil,
        directory: String? = nil, input: String? = nil
    ) throws -> Completed {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent(
            "ticketing-child-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let outputPath = scratch.appendingPathComponent("stdout").path
        let errorPath = scratch.appendingPathComponent("stderr").path
        let child = try ChildProcess(
            executable, arguments, environment: environment, directory: directory,
            input: input == nil ? .null : .pipe, output: .file(outputPath), error: .file(errorPath))
        if let input, let handle = child.input {
            // A child that exits without reading its input makes the write fail (EPIPE); its status says why.
            try? handle.write(contentsOf: Data(input.utf8))
            try? handle.close()
        }
        let status = child.waitUntilExit()
        return Completed(
            status: status,
            output: (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? "",
            error: (try? String(contentsOfFile: errorPath, encoding: .utf8)) ?? "")
    }
}
