import ArgumentParser
import Foundation
import FunctionKit
import Runtime

/// `ticketing events dead`: lists the deliveries given up on.
struct Dead: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dead",
        abstract: "List dead-lettered deliveries: events and scheduled invocations that kept failing.")

    @Option(help: "text: one line each; json: an array with the events.")
    var output: Invoke.OutputFormat = .text

    @Flag(help: "Also list the letters put back by a redrive and not yet delivered.")
    var all = false

    @OptionGroup var project: ProjectOptions

    func run() async throws {
        let letters = try await LocalProject.with(project) { local in
            try await DeadLetters.open(local.storage).list(state: all ? nil : .dead)
        }
        switch output {
        case .json:
            print(try JSONCoding.string(letters, pretty: true))
        case .text:
            guard !letters.isEmpty else {
                print("no dead letters")
                return
            }
            for letter in letters {
                print(
                    "#\(letter.id)  \(letter.consumer)  \(letter.event.type)  event \(letter.event.id) from \(letter.origin)"
                        + "  \(letter.attempts) attempt\(letter.attempts == 1 ? "" : "s")  \(letter.deadAt.iso8601)"
                        + (letter.state == .redrive ? "  (being redriven)" : ""))
                print("    \(letter.error)")
            }
        }
    }
}

/// `ticketing events redrive`: puts dead letters back for delivery.
struct Redrive: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "redrive",
        abstract: "Put dead-lettered deliveries back: each gets a fresh set of attempts.",
        discussion: """
            `ticketing serve` delivers them (a running one within its --resync interval); one that fails every \
            attempt again returns to the list.
            """)

    @Argument(help: "The numbers `ticketing events dead` shows.")
    var ids: [Int64] = []

    @Flag(help: "Put back every dead letter.")
    var all = false

    @OptionGroup var project: ProjectOptions

    func validate() throws {
        guard all != !ids.isEmpty else {
            throw ValidationError("name the dead letters to put back, or pass --all")
        }
    }

    func run() async throws {
        let ids = all ? nil : self.ids
        let redriven = try await LocalProject.with(project) { local in
            try await DeadLetters.open(local.storage).redrive(ids, now: Date())
        }
        print("put back \(redriven.count) dead letter\(redriven.count == 1 ? "" : "s")")
        let missing = Set(ids ?? []).subtracting(redriven).sorted()
        guard missing.isEmpty else {
            throw CommandError("no dead letter \(missing.map { "#\($0)" }.joined(separator: ", "))")
        }
    }
}
