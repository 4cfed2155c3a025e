import ChildProcess
import Foundation
import Testing

/// Shell completion: `ticketing --generate-completion-script bash|zsh|fish`, and function names completed from
/// the manifest.
@Suite struct CompletionTests {
    @Test(arguments: ["bash", "zsh", "fish"])
    func aScriptIsWrittenForEachShell(shell: String) throws {
        let script = try CommandRunner().run(["--generate-completion-script", shell])
        #expect(script.status == 0, "\(script.stderr)")
        for command in ["serve", "invoke", "function", "dispatcher", "gateway", "validate"] {
            #expect(script.stdout.contains(command), "\(shell): \(command)")
        }
        // Function names come from the binary itself, reading the manifest.
        #expect(script.stdout.contains("---completion invoke --"), "\(shell)")
    }

    /// Bash, driven as it completes `ticketing invoke tick<TAB>`: the script sourced, the completion function
    /// called with the words, and the candidates read back.
    @Test func bashCompletesAFunctionNameFromTheManifest() throws {
        let binary = CommandRunner.binary.path
        let line = "\(binary) invoke tick"
        let program = """
            source <("\(binary)" --generate-completion-script bash)
            COMP_WORDS=("\(binary)" invoke tick); COMP_CWORD=2; COMP_LINE='\(line)'; COMP_POINT=\(line.count)
            _ticketing
            printf '%s\\n' "${COMPREPLY[@]}"
            """
        let completed = try ChildProcess.run("/bin/bash", ["-c", program], directory: CommandRunner.root.path)
        #expect(completed.status == 0, "\(completed.error)")
        let names = Set(completed.output.split(separator: "\n").map(String.init))
        #expect(
            names == [
                "tickets-create", "tickets-list", "tickets-show", "tickets-update", "tickets-on-order-created",
                "tickets-on-order-cancelled",
            ], "\(completed.output)")
    }

    /// `--manifest` on the line being completed picks the manifest, from wherever the shell is.
    @Test func theManifestOnTheLineIsTheOneRead() throws {
        var runner = CommandRunner()
        runner.workingDirectory = FileManager.default.temporaryDirectory
        let manifest = CommandRunner.root.appendingPathComponent("functions.yaml").path
        let named = try runner.run([
            "---completion", "events", "generate", "--", "positional@0", "5", "3", "ticketing", "events", "generate",
            "--manifest", manifest, "exp",
        ])
        #expect(
            named.stdout.split(separator: "\n") == [
                "expiration-on-order-created", "expiration-on-order-cancelled", "expiration-on-payment-expired",
                "expiration-fire",
            ], "\(named.stdout)")
        let none = try runner.run([
            "---completion", "invoke", "--", "positional@0", "2", "0", "ticketing", "invoke", "",
        ])
        #expect(none.stdout.isEmpty, "no manifest here: no names, and no error: \(none.stdout)")
    }
}
