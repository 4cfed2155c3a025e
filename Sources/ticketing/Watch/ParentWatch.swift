import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A `serve` started by `serve --watch` ends when the watch does, even when it is killed with SIGKILL and
/// cannot stop it: `TICKETING_WATCH_PARENT` names the watch's process, and once this process's parent is no
/// longer that one (it was re-parented), it stops itself as SIGTERM would stop it. Checked once a second, on a
/// thread of its own.
enum ParentWatch {
    /// The variable naming the parent to outlive.
    static let variable = "TICKETING_WATCH_PARENT"

    /// Starts the check when the environment names a parent.
    static func start(_ environment: [String: String]) {
        guard let parent = environment[variable].flatMap({ pid_t($0) }), parent > 1 else { return }
        let thread = Thread {
            while getppid() == parent { sleep(1) }
            kill(getpid(), SIGTERM)
        }
        thread.name = "ticketing.parent-watch"
        thread.start()
    }
}
