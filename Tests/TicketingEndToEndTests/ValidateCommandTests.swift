import Foundation
import Testing

/// `ticketing validate` against the project's manifest and broken copies of it.
@Suite struct ValidateCommandTests {
    private func brokenManifest(_ transform: (String) -> String) throws -> URL {
        let text = try String(contentsOf: CommandRunner.root.appendingPathComponent("functions.yaml"), encoding: .utf8)
        let project = FileManager.default.temporaryDirectory.appendingPathComponent(
            "ticketing-project-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: project, withIntermediateDirectories: true)
        try FileManager.default.copyItem(
            at: CommandRunner.root.appendingPathComponent("events"), to: project.appendingPathComponent("events"))
        let url = project.appendingPathComponent("functions.yaml")
        try transform(text).write(to: url, atomically: true, encoding: .utf8)
        return url
    }

    @Test func theProjectValidates() throws {
        let result = try CommandRunner().run(["validate"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("match the compiled handlers"))
    }

    @Test func aMissingHandlerFailsNamingTheFunction() throws {
        let manifest = try brokenManifest {
            $0 + "  - name: tickets-archive\n    service: tickets\n    http: POST /api/tickets/{id}/archive\n"
        }
        defer { try? FileManager.default.removeItem(at: manifest.deletingLastPathComponent()) }
        let result = try CommandRunner().run(["validate", "--manifest", manifest.path])
        #expect(result.status != 0)
        #expect(result.stderr.contains("function 'tickets-archive' is declared but has no handler"), "\(result.stderr)")
    }

    @Test func aDuplicateRouteFailsNamingBothFunctions() throws {
        let manifest = try brokenManifest {
            $0.replacingOccurrences(of: "http: GET /api/tickets/{id}", with: "http: PUT /api/tickets/{id}")
        }
        defer { try? FileManager.default.removeItem(at: manifest.deletingLastPathComponent()) }
        let result = try CommandRunner().run(["validate", "--manifest", manifest.path])
        #expect(result.status != 0)
        #expect(
            result.stderr.contains(
                "route PUT /api/tickets/{id} of 'tickets-update' is already declared by 'tickets-show'"),
            "\(result.stderr)")
    }

    @Test func aSampleMissingARequiredFieldFailsNamingSampleAndSchemaPath() throws {
        let manifest = try brokenManifest { $0 }
        defer { try? FileManager.default.removeItem(at: manifest.deletingLastPathComponent()) }
        let sample = manifest.deletingLastPathComponent().appendingPathComponent("events/tickets-create.json")
        let text = try String(contentsOf: sample, encoding: .utf8).replacingOccurrences(
            of: #"\"price\":149.99,"#, with: "")
        try text.write(to: sample, atomically: true, encoding: .utf8)
        let result = try CommandRunner().run(["validate", "--manifest", manifest.path])
        #expect(result.status != 0)
        #expect(
            result.stderr.contains(
                "sample events/tickets-create.json for 'tickets-create' fails its schema: /body: required property 'price' is missing"
                    + " [schema https://ticketing.dev/schemas/http/tickets-create.request.json#/required]"),
            "\(result.stderr)")
    }

    @Test func aFunctionWithoutASampleIsNamed() throws {
        let manifest = try brokenManifest { $0 }
        defer { try? FileManager.default.removeItem(at: manifest.deletingLastPathComponent()) }
        try FileManager.default.removeItem(
            at: manifest.deletingLastPathComponent().appendingPathComponent("events/tickets-show.json"))
        let result = try CommandRunner().run(["validate", "--manifest", manifest.path])
        #expect(result.status != 0)
        #expect(result.stderr.contains("function 'tickets-show' has no sample event in events/"), "\(result.stderr)")
    }

    @Test func aSampleForTheWrongRouteIsNamed() throws {
        let manifest = try brokenManifest { $0 }
        defer { try? FileManager.default.removeItem(at: manifest.deletingLastPathComponent()) }
        let events = manifest.deletingLastPathComponent().appendingPathComponent("events")
        try FileManager.default.removeItem(at: events.appendingPathComponent("tickets-show.json"))
        try FileManager.default.copyItem(
            at: events.appendingPathComponent("tickets-list.json"),
            to: events.appendingPathComponent("tickets-show.json"))
        let result = try CommandRunner().run(["validate", "--manifest", manifest.path])
        #expect(result.status != 0)
        #expect(
            result.stderr.contains("GET /api/tickets is not the route GET /api/tickets/{id} of 'tickets-show'"),
            "\(result.stderr)")
    }

    @Test func aMissingManifestIsNamed() throws {
        let result = try CommandRunner().run(["validate", "--manifest", "/nonexistent/functions.yaml"])
        #expect(result.status != 0)
        #expect(result.stderr.contains("/nonexistent/functions.yaml: cannot read the file"))
    }
}
