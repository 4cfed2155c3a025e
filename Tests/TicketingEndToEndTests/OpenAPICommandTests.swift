import ChildProcess
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
        // Each operation: its success status and the error statuses it answers (413 with a body; 500, 504 always).
        let expected: [(String, String, String, String, Set<String>)] = [
            ("/api/users/signup", "post", "auth-signup", "201", ["400", "413", "500", "504"]),
            ("/api/users/signin", "post", "auth-signin", "200", ["400", "413", "500", "504"]),
            ("/api/users/signout", "post", "auth-signout", "200", ["500", "504"]),
            ("/api/users/currentuser", "get", "auth-currentuser", "200", ["500", "504"]),
            ("/api/tickets", "post", "tickets-create", "201", ["400", "401", "413", "500", "504"]),
            ("/api/tickets", "get", "tickets-list", "200", ["400", "500", "504"]),
            ("/api/tickets/{id}", "get", "tickets-show", "200", ["404", "500", "504"]),
            ("/api/tickets/{id}", "put", "tickets-update", "200", ["400", "401", "404", "413", "500", "504"]),
            ("/api/orders", "post", "orders-create", "201", ["400", "401", "403", "404", "413", "500", "504"]),
            ("/api/orders", "get", "orders-list", "200", ["400", "401", "500", "504"]),
            ("/api/orders/{id}", "get", "orders-show", "200", ["401", "404", "500", "504"]),
            ("/api/orders/{id}", "delete", "orders-cancel", "204", ["400", "401", "404", "503", "500", "504"]),
            (
                "/api/payments", "post", "payments-create", "201",
                ["400", "401", "402", "404", "409", "413", "500", "503", "504"]
            ),
        ]
        var operations = 0
        for (path, method, function, status, errors) in expected {
            let operation = try #require(paths[path]?[method] as? [String: Any], "\(method) \(path)")
            #expect(operation["operationId"] as? String == function)
            let responses = try #require(operation["responses"] as? [String: Any])
            #expect(responses[status] != nil, "\(function) answers \(status)")
            #expect(Set(responses.keys) == errors.union([status]), "\(function): \(responses.keys.sorted())")
            for error in errors {
                let response = responses[error] as? [String: Any]
                let content = response?["content"] as? [String: [String: Any]]
                let schema = content?["application/json"]?["schema"] as? [String: Any]
                #expect(schema?["$ref"] as? String == "#/components/schemas/error", "\(function) \(error)")
                #expect((response?["description"] as? String)?.isEmpty == false, "\(function) \(error)")
            }
            // An operation that answers 401 requires a session; the others take one when given.
            let security = operation["security"] as? [[String: Any]]
            #expect(
                (security?.map { Set($0.keys) } ?? []) == (errors.contains("401") ? [["bearer"], ["session"]] : []))
            operations += 1
        }
        for (path, statuses) in [
            ("/health", ["200", "503"]), ("/health/live", ["200"]), ("/health/ready", ["200", "503"]),
            ("/openapi.json", ["200"]),
        ] {
            let operation = try #require(paths[path]?["get"] as? [String: Any], "GET \(path)")
            let responses = try #require(operation["responses"] as? [String: Any])
            #expect(Set(responses.keys) == Set(statuses), "GET \(path)")
            for status in statuses {
                let content = (responses[status] as? [String: Any])?["content"] as? [String: [String: Any]]
                #expect(content?["application/json"]?["schema"] != nil, "GET \(path) \(status) has a body schema")
            }
            operations += 1
        }
        #expect(paths.values.map(\.count).reduce(0, +) == operations, "no operation that nothing declares")
        let show = try #require(paths["/api/tickets/{id}"]?["get"] as? [String: Any])
        let parameters = try #require(show["parameters"] as? [[String: Any]])
        #expect(parameters.first?["name"] as? String == "id" && parameters.first?["in"] as? String == "path")
        let list = try #require(paths["/api/tickets"]?["get"] as? [String: Any])
        let query = Dictionary(
            uniqueKeysWithValues: (list["parameters"] as? [[String: Any]] ?? []).compactMap { parameter in
                (parameter["name"] as? String).map { ($0, parameter["schema"] as? [String: Any] ?? [:]) }
            })
        #expect(Set(query.keys) == ["title", "userId", "limit", "cursor"])
        // The constraints the handler enforces: a positive integer, a cursor of the form pages give.
        #expect(query["limit"]?["pattern"] as? String == "^0*[1-9][0-9]*$")
        #expect(query["cursor"]?["pattern"] as? String == "^t(0|[1-9][0-9]{0,17})$")
        let role = (paths["/api/orders"]?["get"] as? [String: Any])?["parameters"] as? [[String: Any]]
        #expect((role?.first?["schema"] as? [String: Any])?["enum"] as? [String] == ["buyer", "seller"])
        // Prices: at most two decimals, said as multipleOf in the document (x-multipleOf in the schemas).
        let schemas = try #require((document["components"] as? [String: Any])?["schemas"] as? [String: Any])
        let create = try #require(schemas["tickets-create.request"] as? [String: Any])
        let price = (create["properties"] as? [String: [String: Any]])?["price"]
        #expect(price?["multipleOf"] as? Double == 0.01 && price?["x-multipleOf"] == nil)
    }

    @Test func theDocumentIsValidOpenAPI() throws {
        let cli = CommandRunner()
        let result = try cli.run(["openapi"])
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("openapi-\(UUID().uuidString).json")
        try Data(result.stdout.utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let validator = try ChildProcess.run("/usr/bin/env", ["openapi-spec-validator", file.path])
        #expect(
            validator.status == 0,
            "openapi-spec-validator (run scripts/setup to install it): \(validator.output)\(validator.error)")
    }
}
