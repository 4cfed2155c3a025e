import Foundation
import XCTest

@testable import ticketing

/// What `serve --watch` sees of a project's files, and what it does about each kind of change.
final class SourceWatcherTests: XCTestCase {
    func testChangesAreHandedOverTogetherOnceTheFilesAreQuiet() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("watched-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        try FileManager.default.createDirectory(
            at: root.appendingPathComponent("Sources/Tickets"), withIntermediateDirectories: true)
        try Data("a".utf8).write(to: root.appendingPathComponent("functions.yaml"))
        let watcher = try SourceWatcher(root: root, directories: ["Sources"], files: ["functions.yaml"])
        defer { watcher.stop() }
        var signals = watcher.signals.makeAsyncIterator()

        try Data("x".utf8).write(to: root.appendingPathComponent("Sources/Tickets/Show.swift"))
        try Data("b".utf8).write(to: root.appendingPathComponent("functions.yaml"))
        try Data("not watched".utf8).write(to: root.appendingPathComponent("README.md"))
        try Data("scratch".utf8).write(to: root.appendingPathComponent("Sources/Tickets/.Show.swift.swp"))
        _ = await signals.next()
        XCTAssertEqual(watcher.take(), ["Sources/Tickets/Show.swift", "functions.yaml"])

        // A directory made after the watch began is watched too.
        try FileManager.default.createDirectory(
            at: root.appendingPathComponent("Sources/Orders"), withIntermediateDirectories: true)
        _ = await signals.next()
        XCTAssertEqual(watcher.take(), ["Sources/Orders"])
        try Data("y".utf8).write(to: root.appendingPathComponent("Sources/Orders/Create.swift"))
        _ = await signals.next()
        XCTAssertEqual(watcher.take(), ["Sources/Orders/Create.swift"])
    }

    func testSourcesRebuildTheManifestAndEventsRestartTemplatesNeedNothing() {
        XCTAssertEqual(WatchSession.work(for: ["Sources/Web/Templates/layout.mustache"]), .none)
        XCTAssertEqual(WatchSession.work(for: ["Sources/Web/Assets/app.css", "Sources/Web/Templates"]), .none)
        XCTAssertEqual(WatchSession.work(for: ["functions.yaml"]), .restart)
        XCTAssertEqual(WatchSession.work(for: ["events/schemas/order-created.json"]), .restart)
        XCTAssertEqual(
            WatchSession.work(for: ["Sources/Web/Templates/home.mustache", "Sources/Web/Page.swift"]), .rebuild)
        XCTAssertEqual(WatchSession.work(for: ["events/a.json", "Package.swift"]), .rebuild)
    }

    func testAFailedBuildShowsTheCompilersWordsNotItsProgress() {
        let output = """
            Building for debugging...
            [1/4] Compiling Tickets ShowTicket.swift
            /p/Sources/Tickets/ShowTicket.swift:15:19: error: cannot convert value of type 'String' to 'Int'
            warning: 'swift-distributed-tracing': found 1 file(s) which are unhandled
            """
        XCTAssertEqual(
            ProjectBuilder.diagnostics(output),
            "/p/Sources/Tickets/ShowTicket.swift:15:19: error: cannot convert value of type 'String' to 'Int'")
    }
}
