import ArgumentParser
import Foundation
import FunctionKit
import Runtime

/// `ticketing events waiting`: lists the deliveries held up for a retry.
struct Waiting: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "waiting",
        abstract: "List deliveries waiting for a retry: events that failed or were deferred, and timers.",
        discussion: """
            An event at the head of a subscription holds up the ones behind it from the same publisher until it \
            is handled or dead-lettered: failed attempts count towards the function's retries, deferrals (the \
            event waits for another) towards a longer bound of about an hour.
            """)

    @Option(help: "text: two lines each; json: an array.")
    var output: Invoke.OutputFormat = .text

    @OptionGroup var project: ProjectOptions

    func run() async throws {
        let waiting = try await LocalProject.with(project) { local in
            try await WaitingDelivery.list(local.invoker.deliveryContext())
        }
        switch output {
        case .json:
            print(try JSONCoding.string(waiting, pretty: true))
        case .text:
            guard !waiting.isEmpty else {
                print("nothing waiting")
                return
            }
            for delivery in waiting {
                let what =
                    switch delivery.kind {
                    case .event: "\(delivery.consumer)  events from \(delivery.origin)"
                    case .schedule: "\(delivery.consumer)  timer \(delivery.key ?? "") of \(delivery.origin)"
                    }
                print(
                    "\(what)  \(Self.count(delivery.attempts, "failed attempt"))"
                        + "  \(Self.count(delivery.deferrals, "deferral"))  next try \(delivery.nextAttemptAt.iso8601)")
                if let error = delivery.lastError { print("    \(error)") }
            }
        }
    }

    private static func count(_ number: Int, _ noun: String) -> String {
        "\(number) \(noun)\(number == 1 ? "" : "s")"
    }
}
