import ArgumentParser
import Foundation
import Runtime

/// Shell completion of a function's name: the functions of the manifest the command line names (`--manifest`),
/// else of `functions.yaml` in the working directory. The shells call `ticketing ---completion …` for these
/// (`ticketing --generate-completion-script bash|zsh|fish` writes the scripts).
enum FunctionNameCompletion {
    /// The completion kind for a function-name argument.
    static let kind = CompletionKind.custom { words, _, prefix in names(words: words, prefix: prefix) }

    /// The names starting with `prefix`, in the manifest's order; none when it cannot be read.
    static func names(words: [String], prefix: String) -> [String] {
        var path = "functions.yaml"
        for (index, word) in words.enumerated() {
            if word == "--manifest", index + 1 < words.count {
                path = words[index + 1]
            } else if word.hasPrefix("--manifest=") {
                path = String(word.dropFirst("--manifest=".count))
            }
        }
        guard let manifest = try? Manifest.load(path: path) else { return [] }
        return manifest.functions.map(\.name).filter { $0.hasPrefix(prefix) }
    }
}
