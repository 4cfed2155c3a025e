import Foundation
import Testing

/// `ticketing openapi`: the document derived from functions.yaml and the schemas.
@Suite struct OpenAPICommandTests {
    @Test func everyHTTPFunctionIsAnOperationWithItsSchemas() throws {
        let result = try CommandRunner().run(["openapi"])
        #expect(result.status == 0, "\(result.stderr)")
        let document = result.object
        #expect(document["openapi"] as? String == "3.1.0")
        let paths = try #require(document["paths"] as? [String: [String: Any]])
        let expected = [
            ("/api/users/signup", "post", "auth-signup", "201"), ("/api/users/signin", "post", "auth-signin", "200"),
            ("/api/users/signout", "post", "auth-signout", "200"),
            ("/api/users/currentuser", "get", "auth-currentuser", "200"),
            ("/api/tickets", "post", "tickets-create", "201"), ("/api/tickets", "get", "tickets-list", "200"),
            ("/api/tickets/{id}", "get", "tickets-show", "200"), ("/api/tickets/{id}", "put", "tickets-update", "200"),
            ("/api/orders", "post", "orders-create", "201"), ("/api/orders", "get", "orders-list", "200"),
            ("/api/orders/{id}", "get", "orders-show", "200"), ("/api/orders/{id}", "delete", "orders-cancel", "204"),
            ("/api/payments", "post", "payments-create", "201"),
        ]
        var operations = 0
        for (path, method, function, status) in expected {
            let operation = try #require(paths[path]?[method] as? [String: Any], "\(method) \(path)")
            #expect(operation["operationId"] as? String == function)
            let responses = try #require(operation["responses"] as? [String: Any])
            #expect(responses[status] != nil, "\(function) answers \(status)")
            #expect(responses["default"] != nil)
            operations += 1
        }
        #expect(paths.values.map(\.count).reduce(0, +) == operations, "no operation that the manifest does not declare")
        let show = try #require(paths["/api/tickets/{id}"]?["get"] as? [String: Any])
        let parameters = try #require(show["parameters"] as? [[String: Any]])
        #expect(parameters.first?["name"] as? String == "id" && parameters.first?["in"] as? String == "path")
        let list = try #require(paths["/api/tickets"]?["get"] as? [String: Any])
        #expect(
            Set((list["parameters"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }) == [
                "title", "userId", "limit", "cursor",
            ])
    }

    @Test func theDocumentIsValidOpenAPI() throws {
        let cli = CommandRunner()
        let result = try cli.run(["openapi"])
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("openapi-\(UUID().uuidString).json")
        try Data(result.stdout.utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let validator = Process()
        validator.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        validator.arguments = ["openapi-spec-validator", file.path]
        let output = Pipe()
        validator.standardOutput = output
        validator.standardError = output
        try validator.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        validator.waitUntilExit()
        #expect(validator.terminationStatus == 0, "openapi-spec-validator (run scripts/setup to install it): \(text)")
    }
}
