import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// The changes to a project's files, seen through inotify: directories watched with everything under them
/// (new subdirectories included), and single files watched through their directory. A thread of its own waits
/// for the kernel's events; changes are gathered until the files have been quiet for a moment (an editor's
/// save is several events), then handed over together.
final class SourceWatcher: @unchecked Sendable {
    /// Why watching could not start.
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// The project's root; the paths handed over are relative to it.
    let root: URL
    private let descriptor: Int32
    private let wake: (read: Int32, write: Int32)
    private let lock = NSLock()
    private var pending: Set<String> = []
    private var directories: [Int32: String] = [:]
    private let files: Set<String>
    private let signal: AsyncStream<Void>.Continuation
    /// Yields once changes are waiting to be taken.
    let signals: AsyncStream<Void>

    /// How long the files must stay quiet before their changes are handed over.
    static let quietPeriod: Int32 = 100

    /// Watches `directories` (paths relative to `root`, recursively) and `files` (relative to `root`).
    init(root: URL, directories: [String], files: [String]) throws {
        self.root = root.standardizedFileURL
        self.files = Set(files)
        descriptor = inotify_init1(Int32(IN_CLOEXEC))
        guard descriptor >= 0 else {
            throw Failure(description: "cannot watch files: inotify_init1 failed (errno \(errno))")
        }
        var ends: [Int32] = [0, 0]
        guard pipe(&ends) == 0 else {
            close(descriptor)
            throw Failure(description: "cannot watch files: pipe failed (errno \(errno))")
        }
        wake = (ends[0], ends[1])
        (signals, signal) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        for directory in directories { addTree(directory) }
        for directory in Set(files.map { ($0 as NSString).deletingLastPathComponent }) {
            add(directory, recursive: false)
        }
        let thread = Thread { [self] in self.watch() }
        thread.name = "ticketing.watch"
        thread.start()
    }

    /// The paths changed since the last call, sorted.
    func take() -> [String] {
        lock.lock()
        defer { lock.unlock() }
        let taken = pending.sorted()
        pending = []
        return taken
    }

    /// Stops watching; `signals` ends.
    func stop() {
        var byte: UInt8 = 1
        _ = write(wake.write, &byte, 1)
    }

    /// Whether a name is an editor's scratch file rather than a file of the project.
    static func isScratch(_ name: String) -> Bool {
        name.hasPrefix(".") || name.hasPrefix("#") || name.hasSuffix("~") || name.hasSuffix(".swp")
            || name.hasSuffix(".swx") || name == "4913"
    }

    // MARK: - Watching

    private static let fileEvents = UInt32(
        IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_CREATE | IN_DELETE | IN_DELETE_SELF)

    private func add(_ relative: String, recursive: Bool) {
        let path = relative.isEmpty ? root.path : root.appendingPathComponent(relative).path
        let watch = inotify_add_watch(descriptor, path, Self.fileEvents | (recursive ? 0 : UInt32(IN_ONLYDIR)))
        guard watch >= 0 else { return }
        lock.lock()
        directories[watch] = recursive ? relative : "\u{0}" + relative
        lock.unlock()
    }

    /// Watches `relative` and every directory under it (hidden ones and `.build` left out).
    private func addTree(_ relative: String) {
        var isDirectory: ObjCBool = false
        let path = root.appendingPathComponent(relative).path
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else {
            return
        }
        add(relative, recursive: true)
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: path) else { return }
        for name in names where !Self.isScratch(name) {
            var child: ObjCBool = false
            if FileManager.default.fileExists(atPath: path + "/" + name, isDirectory: &child), child.boolValue {
                addTree(relative.isEmpty ? name : relative + "/" + name)
            }
        }
    }

    private func watch() {
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        var waiting = false
        while true {
            var descriptors = [
                pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0),
                pollfd(fd: wake.read, events: Int16(POLLIN), revents: 0),
            ]
            let ready = poll(&descriptors, 2, waiting ? Self.quietPeriod : -1)
            if ready < 0 {
                if errno == EINTR { continue }
                break
            }
            if descriptors[1].revents != 0 { break }
            if ready == 0 {
                // Quiet: hand the changes over.
                waiting = false
                signal.yield()
                continue
            }
            let count = read(descriptor, &buffer, buffer.count)
            guard count > 0 else { continue }
            if record(buffer[0..<count]) { waiting = true }
        }
        close(descriptor)
        close(wake.read)
        close(wake.write)
        signal.finish()
    }

    /// Notes the changes in `events` (a read of `struct inotify_event`s); whether any counts.
    private func record(_ events: ArraySlice<UInt8>) -> Bool {
        var changed = false
        var offset = events.startIndex
        let header = MemoryLayout<inotify_event>.size
        while offset + header <= events.endIndex {
            let (watch, mask, length) = events.withUnsafeBytes { bytes in
                let base = offset - events.startIndex
                return (
                    bytes.loadUnaligned(fromByteOffset: base, as: Int32.self),
                    bytes.loadUnaligned(fromByteOffset: base + 4, as: UInt32.self),
                    Int(bytes.loadUnaligned(fromByteOffset: base + 12, as: UInt32.self))
                )
            }
            let nameBytes = events[(offset + header)..<min(offset + header + length, events.endIndex)]
            let name = String(decoding: nameBytes.prefix { $0 != 0 }, as: UTF8.self)
            offset += header + length
            lock.lock()
            let directory = directories[watch]
            lock.unlock()
            guard let directory, !name.isEmpty, !Self.isScratch(name) else { continue }
            if directory.hasPrefix("\u{0}") {
                // A single file's directory: only that file counts.
                let folder = String(directory.dropFirst())
                let path = folder.isEmpty ? name : folder + "/" + name
                guard files.contains(path) else { continue }
                note(path)
                changed = true
                continue
            }
            let path = directory.isEmpty ? name : directory + "/" + name
            if mask & UInt32(IN_ISDIR) != 0, mask & UInt32(IN_CREATE | IN_MOVED_TO) != 0 { addTree(path) }
            note(path)
            changed = true
        }
        return changed
    }

    private func note(_ path: String) {
        lock.lock()
        pending.insert(path)
        lock.unlock()
    }
}
