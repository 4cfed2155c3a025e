import ArgumentParser
import Foundation

/// Options every command that reads the project shares.
struct ProjectOptions: ParsableArguments {
    @Option(help: ArgumentHelp("The functions manifest.", valueName: "path"))
    var manifest = "functions.yaml"

    @Option(
        name: .customLong("data-dir"),
        help: ArgumentHelp("Where local state is kept (default: $TICKETING_DATA_DIR or .ticketing).", valueName: "path")
    )
    var dataDir: String?

    /// The data directory: `--data-dir`, else `TICKETING_DATA_DIR`, else `.ticketing` in the working directory.
    var dataDirectory: URL {
        let path = dataDir ?? ProcessInfo.processInfo.environment["TICKETING_DATA_DIR"] ?? ".ticketing"
        return URL(fileURLWithPath: path, isDirectory: true).standardizedFileURL
    }

    /// The directory holding the manifest, where `events/` lives.
    var projectDirectory: URL {
        URL(fileURLWithPath: manifest).deletingLastPathComponent()
    }

    /// The samples: `events/` beside the manifest.
    var eventsDirectory: URL {
        projectDirectory.appendingPathComponent("events")
    }

    /// The JSON Schemas: `events/schemas/` beside the manifest.
    var schemasDirectory: URL {
        eventsDirectory.appendingPathComponent("schemas")
    }
}

/// A problem the command line reports as one line on stderr, exiting non-zero.
struct CommandError: Error, CustomStringConvertible {
    var description: String

    init(_ description: String) {
        self.description = description
    }
}
