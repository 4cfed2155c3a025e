import ChildProcess
import Foundation
import Testing

@Suite struct ChildProcessTests {
    @Test func runsToItsEndWithInputEnvironmentAndDirectory() throws {
        let completed = try ChildProcess.run(
            "/bin/sh", ["-c", #"read line; echo "$line $GREETING $(pwd)"; echo oops >&2; exit 3"#],
            environment: ["GREETING": "hello", "PATH": "/usr/bin:/bin"], directory: "/tmp", input: "ticket\n")
        #expect(completed.status == 3)
        #expect(completed.output == "ticket hello /tmp\n")
        #expect(completed.error == "oops\n")
    }

    @Test func aSignalEndsItAndIsReported() throws {
        let child = try ChildProcess("/bin/sleep", ["30"])
        #expect(child.isRunning)
        // SIGTERM reaches the child even from a thread that blocks it: the child's mask is empty.
        var blocked = sigset_t()
        sigemptyset(&blocked)
        sigaddset(&blocked, SIGTERM)
        var previous = sigset_t()
        pthread_sigmask(SIG_BLOCK, &blocked, &previous)
        child.terminate()
        pthread_sigmask(SIG_SETMASK, &previous, nil)
        #expect(child.waitUntilExit() == SIGTERM)
        #expect(child.wasSignalled)
        #expect(!child.isRunning)
    }

    @Test func pipesCarryOutputAndOnlyTheStandardStreamsAreInherited() throws {
        // A descriptor the parent holds open (not close-on-exec) is not among the child's.
        let kept = open("/dev/null", O_RDONLY)
        defer { close(kept) }
        let child = try ChildProcess("/bin/ls", ["/proc/self/fd"], output: .pipe)
        let listed = String(decoding: (try child.output?.readToEnd()) ?? Data(), as: UTF8.self)
        #expect(child.waitUntilExit() == 0)
        // 0, 1, 2 and the descriptor ls opens to read the directory.
        #expect(!listed.split(separator: "\n").contains(Substring(String(kept))))
        #expect(listed.split(separator: "\n").count <= 4)
    }

    @Test func aMissingProgramIsAnError() {
        #expect(throws: ChildProcess.SpawnFailure.self) { try ChildProcess("/nonexistent/program") }
    }
}
