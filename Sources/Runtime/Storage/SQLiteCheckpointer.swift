import Foundation
import VaporCSQLite

/// Copies a WAL file's committed pages back into its database file on a thread of its own, so that a commit
/// waits for no more than the last few pages of a checkpoint.
///
/// SQLite's own automatic checkpoint runs inside the commit that takes the WAL past 1,000 pages: that commit
/// (and, through ``GroupCommit``, every transaction waiting for the writer) waits for the whole copy and its
/// `fsync`s, milliseconds on a busy disk. Here the writer only tells this checkpointer the WAL's size after
/// each commit (SQLite's WAL hook). Past ``pages`` (1,000, SQLite's threshold) a thread of its own runs a
/// passive checkpoint on a connection of its own, which blocks neither the writer nor a reader and copies the
/// bulk. The WAL can start over only once every page in it is back in the database file, which a copy running
/// beside a busy writer never sees; so the writer's next commit copies the pages committed during the pass
/// (a passive checkpoint on its own connection, as SQLite's would be, but of tens of pages instead of a
/// thousand), and the write after it starts the WAL over. Should the thread fall far behind
/// (``writerTakesOver`` pages, 20,000), or be stopped, the writer checkpoints in the commit as SQLite would,
/// so the WAL stays bounded whatever happens.
///
/// The thread and its connection are started by the first checkpoint asked for: a process that writes little
/// (`ticketing invoke`, an idle `serve`) never has them.
final class SQLiteCheckpointer: @unchecked Sendable {
    /// The WAL size, in pages, from which a checkpoint is asked for.
    let pages: Int32
    /// The WAL size from which the writer stops waiting for the thread and checkpoints in its commit.
    let writerTakesOver: Int32

    private enum Phase {
        /// The WAL is below the threshold, or the writer has just copied the rest.
        case idle
        /// The thread is asked to copy, or copying.
        case copying
        /// The thread has copied what was there; the writer copies the rest at its next commit.
        case copied
    }

    private let path: String
    /// Guards everything below.
    private let condition = NSCondition()
    private var phase = Phase.idle
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
    /// checkpoint in this commit itself.
    func walGrew(to frames: Int32) -> Bool {
        let (start, inline) = condition.withLock { () -> (Bool, Bool) in
            self.frames = frames
            guard frames >= pages else {
                if phase == .copied { phase = .idle }
                return (false, false)
            }
            if stopping { return (false, true) }
            switch phase {
            case .idle:
                phase = .copying
                condition.signal()
                defer {
                    started = true
                    running = true
                }
                return (!started, frames >= writerTakesOver)
            case .copying:
                return (false, frames >= writerTakesOver)
            case .copied:
                phase = .idle
                return (false, true)
            }
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
                while phase != .copying && !stopping { condition.wait() }
                return !stopping
            }
            guard go else { return }
            var copied = false
            do {
                if handle == nil { handle = try SQLiteHandle(path: path, readOnly: false) }
                // Busy (another process checkpoints the same file): the writer's next commit asks again.
                copied = try handle?.checkpointPassively() == true
            } catch {
                handle?.close()
                handle = nil
            }
            condition.withLock {
                if copied { checkpoints += 1 }
                if phase == .copying { phase = copied ? .copied : .idle }
                condition.broadcast()
            }
        }
    }
}
