import ArgumentParser
import Foundation
import Runtime

/// `--resync`, shared by the commands that run delivery (`serve`, `dispatcher`).
struct ResyncOption: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "How often delivery looks for work committed by other processes on the same storage, in seconds.",
            valueName: "seconds"))
    var resync = 2.0

    func validate() throws {
        guard resync >= 0.01, resync <= 3600 else {
            throw ValidationError("--resync must be a number of seconds from 0.01 to 3600")
        }
    }

    /// The interval, checked by ``validate()``.
    var duration: Duration { .milliseconds(Int64(resync * 1000)) }
}

/// Where the functions of a container deployment are: `--function-url name=url` (repeatable), over
/// `FUNCTION_URLS` (`name=url,name=url`). Shared by `dispatcher` and `gateway`.
struct FunctionURLOptions: ParsableArguments {
    @Option(
        name: .customLong("function-url"),
        help: ArgumentHelp("A function's URL, as name=http://host:port (repeatable).", valueName: "name=url"))
    var functionURLs: [String] = []

    /// Every URL given, after checking that each of `needed` has one.
    func urls(environment: [String: String], needed: [String]) throws -> [String: URL] {
        var urls: [String: URL] = [:]
        do {
            urls = try RemoteFunctions.parse(environment["FUNCTION_URLS"] ?? "")
            try urls.merge(RemoteFunctions.parse(functionURLs.joined(separator: ","))) { $1 }
        } catch {
            throw CommandError("\(error)")
        }
        let missing = needed.filter { urls[$0] == nil }
        guard missing.isEmpty else {
            throw CommandError(
                "no URL for \(missing.joined(separator: ", ")): give --function-url name=url or FUNCTION_URLS")
        }
        return urls
    }
}
