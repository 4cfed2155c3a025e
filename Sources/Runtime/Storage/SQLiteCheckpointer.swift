import Foundation
import VaporCSQLite

/// Copies a WAL file's committed pages back into its database file on a thread of its own, so that no commit
/// waits for a checkpoint.
///
/// SQLite's own automatic checkpoint runs inside the commit that takes the WAL past 1,000 pages: that commit
/// (and, through ``GroupCommit``, every transaction waiting for the writer) waits for the copy and its
/// `fsync`, milliseconds on a busy disk. Here the writer only tells this checkpointer the WAL's size after each
/// commit (SQLite's WAL hook); past ``pages`` (1,000, SQLite's own threshold) a thread of its own runs a passive checkpoint on a connection of
/// its own, which never blocks the writer or a reader, and the WAL starts over at the next write once every
/// page is back. Should that thread fall far behind (``writerTakesOver`` pages, 20,000), the writer checkpoints in
/// the commit as SQLite would, so the WAL stays bounded whatever happens.
///
/// The thread and its connection are started by the first checkpoint asked for: a process that writes little
/// (`ticketing invoke`, an idle `serve`) never has them.
final class SQLiteCheckpointer: @unchecked Sendable {
    /// The WAL size, in pages, from which a checkpoint is asked for.
    let pages: Int32
    /// The WAL size from which the writer stops waiting for the thread and checkpoints in its commit.
    let writerTakesOver: Int32

    private let path: String
    /// Guards everything below.
    private let condition = NSCondition()
    private var requested = false
    private var started = false
    private var stopping = false
    private var running = false
    private var checkpoints = 0
    private var frames: Int32 = 0

    /// A checkpointer for the database file at `path`.
    init(path: String, pages: Int32 = 1000, writerTakesOver: Int32 = 20_000) {
        self.path = path
        self.pages = pages
        self.writerTakesOver = writerTakesOver
    }

    /// The WAL's size after the last commit (tests).
    var lastFrames: Int32 { condition.withLock { frames } }

    /// Waits until the thread has run `count` checkpoints (tests).
    func waitForCheckpoints(_ count: Int) {
        condition.withLock {
            while checkpoints < count && !stopping { condition.wait() }
        }
    }

    /// Called by the writer after each commit with the WAL's size in pages; whether the writer is to
    /// checkpoint in this commit itself (the thread is far behind, or stopped).
    func walGrew(to frames: Int32) -> Bool {
        let (start, inline) = condition.withLock { () -> (Bool, Bool) in
            self.frames = frames
            guard frames >= pages else { return (false, false) }
            if stopping { return (false, true) }
            requested = true
            condition.signal()
            defer {
                started = true
                running = true
            }
            return (!started, frames >= writerTakesOver)
        }
        if start {
            let thread = Thread { [self] in loop() }
            thread.name = "sqlite-checkpoint"
            thread.stackSize = 256 << 10
            thread.start()
        }
        return inline
    }

    /// Stops the thread, waiting for a checkpoint under way; afterwards the writer checkpoints for itself.
    func stop() {
        condition.withLock {
            stopping = true
            condition.broadcast()
            while running { condition.wait() }
        }
    }

    private func loop() {
        var handle: SQLiteHandle?
        defer {
            handle?.close()
            condition.withLock {
                running = false
                condition.broadcast()
            }
        }
        while true {
            let go = condition.withLock { () -> Bool in
                while !requested && !stopping { condition.wait() }
                requested = false
                return !stopping
            }
            guard go else { return }
            do {
                if handle == nil { handle = try SQLiteHandle(path: path, readOnly: false) }
                // Busy (another process checkpoints the same file) or a failure: the next commit asks again.
                if try handle?.checkpointPassively() == true {
                    condition.withLock {
                        checkpoints += 1
                        condition.broadcast()
                    }
                }
            } catch {
                handle?.close()
                handle = nil
            }
        }
    }
}
