import Foundation
import SQLiteNIO
import Testing

@testable import Runtime

/// Checkpoints run on the checkpointer's thread, not in the commit that grows the WAL past its threshold.
@Suite struct SQLiteCheckpointerTests {
    /// A writer in WAL mode with `checkpointer` told after each commit, on a new file.
    private static func writer(_ path: String, _ checkpointer: SQLiteCheckpointer) throws -> SQLiteHandle {
        let handle = try SQLiteHandle(path: path, readOnly: false)
        try handle.run("PRAGMA journal_mode = WAL")
        try handle.run("PRAGMA synchronous = NORMAL")
        handle.checkpoint(with: checkpointer)
        try handle.run("CREATE TABLE pages (id INTEGER PRIMARY KEY, body BLOB NOT NULL)")
        return handle
    }

    /// Commits `count` transactions of about one page each, returning the WAL's size after each.
    private static func commit(_ count: Int, on handle: SQLiteHandle, _ checkpointer: SQLiteCheckpointer) throws
        -> [Int32]
    {
        var sizes: [Int32] = []
        for _ in 0..<count {
            try handle.run("INSERT INTO pages (body) VALUES (zeroblob(3000))")
            sizes.append(checkpointer.lastFrames)
        }
        return sizes
    }

    private static func temporaryPath() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("checkpoint-\(UUID().uuidString).db").path
    }

    private static func remove(_ path: String) {
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
    }

    /// The commit that takes the WAL past the threshold asks the thread for a checkpoint; once it has run, the
    /// next commit copies what the thread left and the one after starts the WAL over.
    @Test(.timeLimit(.minutes(1))) func theThreadCheckpointsAndTheWALStartsOver() throws {
        let path = Self.temporaryPath()
        defer { Self.remove(path) }
        let checkpointer = SQLiteCheckpointer(path: path, pages: 40, writerTakesOver: 100_000)
        let handle = try Self.writer(path, checkpointer)
        defer {
            checkpointer.stop()
            handle.close()
        }
        var grown: Int32 = 0
        for _ in 0..<100 where grown < 40 { grown = try Self.commit(1, on: handle, checkpointer)[0] }
        try #require(grown >= 40, "the writer did not report the WAL's size")
        checkpointer.waitForCheckpoints(1)
        let after = try Self.commit(2, on: handle, checkpointer)[1]
        #expect(after < grown, "the WAL did not start over after the checkpoint: \(grown) → \(after) pages")
    }

    /// With the thread stopped, the writer checkpoints in its commit once past the threshold, so the WAL
    /// stays bounded.
    @Test func aStoppedCheckpointerLeavesCheckpointsToTheWriter() throws {
        let path = Self.temporaryPath()
        defer { Self.remove(path) }
        let checkpointer = SQLiteCheckpointer(path: path, pages: 20, writerTakesOver: 100_000)
        let handle = try Self.writer(path, checkpointer)
        defer { handle.close() }
        checkpointer.stop()
        let sizes = try Self.commit(100, on: handle, checkpointer)
        #expect(sizes.max() ?? 0 <= 25, "the WAL grew to \(sizes.max() ?? 0) pages")
    }
}
