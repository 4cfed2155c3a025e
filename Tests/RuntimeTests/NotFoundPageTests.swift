import Auth
import Contracts
import FunctionTesting
import Runtime
import Testing
import Web

/// `settings.notFound` in functions.yaml: which requests get the page, and how a bad setting is named.
@Suite struct NotFoundPageTests {
    let services = [
        AuthService.definition(),
        WebService.definition(settings: WebSettings(api: MarketplaceAPI(), cards: .testCards)),
    ]

    private func problems(_ settings: String, route: String = "GET /not-found") throws -> [String] {
        let yaml = """
            settings:
              notFound: \(settings)
            functions:
              - {name: auth-signup, service: auth, http: POST /api/users/signup}
              - {name: auth-signin, service: auth, http: POST /api/users/signin}
              - {name: auth-signout, service: auth, http: POST /api/users/signout}
              - {name: auth-currentuser, service: auth, http: GET /api/users/currentuser}
            """
        let web = try Manifest.load(path: ProjectFiles.manifest.path).functions.filter { $0.service == "web" }
        var manifest = try Manifest.parse(yaml)
        manifest.functions += web.map { function in
            guard function.name == "web-not-found" else { return function }
            var changed = function
            changed.trigger = (try? Route(parsing: route)).map { .http($0) } ?? function.trigger
            return changed
        }
        return FunctionRegistry.problems(
            services: services, manifest: manifest, knownSubjects: Set(Subject.all.map(\.rawValue)))
    }

    @Test func theProjectDeclaresItsPageAndKeepsTheAPIOutOfIt() throws {
        let registry = try FunctionRegistry(
            services: services,
            manifest: try Manifest.load(path: ProjectFiles.manifest.path).keepingOnly(services: ["auth", "web"]))
        let html = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
        #expect(registry.notFoundPage(method: "GET", path: "/nope", accept: html)?.entry.name == "web-not-found")
        #expect(
            registry.notFoundPage(method: "GET", path: "/favicon.ico", accept: "text/html")?.route.path == "/not-found")
        #expect(registry.notFoundPage(method: "GET", path: "/nope", accept: "application/json") == nil)
        #expect(registry.notFoundPage(method: "GET", path: "/nope", accept: nil) == nil)
        #expect(registry.notFoundPage(method: "GET", path: "/nope", accept: "*/*") == nil)
        #expect(registry.notFoundPage(method: "GET", path: "/nope", accept: "text/html;q=0") == nil)
        #expect(registry.notFoundPage(method: "POST", path: "/nope", accept: html) == nil)
        #expect(registry.notFoundPage(method: "GET", path: "/api/nope", accept: html) == nil)
        #expect(registry.notFoundPage(method: "GET", path: "/api", accept: html) == nil)
        #expect(registry.notFoundPage(method: "GET", path: "/apiary", accept: html) != nil)
    }

    @Test func aBadSettingIsNamed() throws {
        #expect(
            try problems("{function: web-nowhere}") == ["settings: notFound names 'web-nowhere', which is not declared"]
        )
        #expect(
            try problems("{function: auth-signup}") == [
                "settings: notFound function 'auth-signup' must be declared on a GET route without parameters"
            ])
        #expect(
            try problems("{function: auth-currentuser}") == [
                "settings: notFound function 'auth-currentuser' must answer HTML"
            ])
        #expect(
            try problems("{function: web-not-found}", route: "GET /not-found/{path}") == [
                "settings: notFound function 'web-not-found' must be declared on a GET route without parameters"
            ])
        #expect(try problems("{function: web-not-found, except: [/api/]}").isEmpty)
        #expect(throws: ManifestError.self) {
            try Manifest.parse(
                "settings: {notFound: {function: web-not-found, except: [api]}}\nfunctions: [{name: a-b, service: a, schedule: true}]"
            )
        }
    }
}

extension Manifest {
    /// The manifest with only `services`' functions.
    fileprivate func keepingOnly(services: Set<String>) -> Manifest {
        var kept = self
        kept.functions = functions.filter { services.contains($0.service) }
        return kept
    }
}
