import CurlHTTP
import Foundation
import HTTPTypes
import Hummingbird
import Testing

/// The libcurl client against a real Hummingbird server on a loopback port: what goes out and what comes
/// back, failures, time-outs and cancellation.
@Suite struct CurlClientTests {
    /// Echoes the request: its method, headers and body as JSON; other routes answer slowly, redirect or set
    /// two cookies.
    static func router(arrivals: AsyncStream<Void>.Continuation? = nil) -> Router<BasicRequestContext> {
        let router = Router()
        router.on("/echo", method: .post) { request, _ in try await echo(request) }
        router.on("/echo", method: .put) { request, _ in try await echo(request) }
        router.on("/echo", method: .get) { request, _ in try await echo(request) }
        router.on("/echo", method: .delete) { request, _ in try await echo(request) }
        router.get("/slow") { _, _ -> String in
            arrivals?.yield()
            try await Task.sleep(for: .seconds(5))
            return "late"
        }
        router.get("/redirect") { _, _ in
            Response(status: .seeOther, headers: [.location: "/echo"])
        }
        router.get("/cookies") { _, _ in
            var headers = HTTPFields()
            headers.append(HTTPField(name: .setCookie, value: "a=1; Path=/"))
            headers.append(HTTPField(name: .setCookie, value: "b=2; Path=/"))
            return Response(status: .created, headers: headers, body: .init(byteBuffer: ByteBuffer(string: "made")))
        }
        return router
    }

    static func echo(_ request: Request) async throws -> Response {
        let body = try await request.body.collect(upTo: 1 << 20)
        var fields: [String: String] = [:]
        for field in request.headers { fields[field.name.canonicalName.lowercased()] = field.value }
        let echo: [String: String] = [
            "method": request.method.rawValue, "body": String(buffer: body),
            "content-type": fields["content-type"] ?? "", "content-length": fields["content-length"] ?? "",
            "expect": fields["expect"] ?? "", "x-custom": fields["x-custom"] ?? "", "query": request.uri.query ?? "",
        ]
        let data = try JSONEncoder().encode(echo)
        return Response(
            status: .ok, headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    static func echoed(_ response: CurlResponse) throws -> [String: String] {
        try JSONDecoder().decode([String: String].self, from: response.body)
    }

    @Test func aPostCarriesItsBodyAndHeadersAndNothingLibcurlWouldAdd() async throws {
        try await LoopbackServer.with(Self.router()) { base in
            let response = try await CurlClient().send(
                CurlRequest(
                    method: "POST", url: base + "echo?a=1", headers: [CurlHeader("X-Custom", "yes")],
                    body: Data(#"{"hello":"world"}"#.utf8)))
            #expect(response.status == 200)
            #expect(response.header("CONTENT-TYPE") == "application/json")
            let echo = try Self.echoed(response)
            #expect(echo["method"] == "POST")
            #expect(echo["body"] == #"{"hello":"world"}"#)
            #expect(echo["x-custom"] == "yes")
            #expect(echo["query"] == "a=1")
            #expect(echo["content-type"] == "")
            #expect(echo["expect"] == "")
        }
    }

    @Test func otherMethodsWithAndWithoutABody() async throws {
        try await LoopbackServer.with(Self.router()) { base in
            let client = CurlClient()
            let put = try await client.send(
                CurlRequest(
                    method: "PUT", url: base + "echo", headers: [CurlHeader("Content-Type", "text/plain")],
                    body: Data("new".utf8)))
            #expect(try Self.echoed(put)["method"] == "PUT")
            #expect(try Self.echoed(put)["body"] == "new")
            #expect(try Self.echoed(put)["content-type"] == "text/plain")
            let delete = try await client.send(CurlRequest(method: "DELETE", url: base + "echo"))
            #expect(try Self.echoed(delete)["method"] == "DELETE")
            let get = try await client.send(CurlRequest(method: "GET", url: base + "echo"))
            #expect(try Self.echoed(get)["method"] == "GET")
            #expect(try Self.echoed(get)["body"] == "")
            let emptyPost = try await client.send(CurlRequest(method: "POST", url: base + "echo"))
            #expect(try Self.echoed(emptyPost)["content-length"] == "0")
        }
    }

    @Test func redirectsAreReturnedNotFollowed() async throws {
        try await LoopbackServer.with(Self.router()) { base in
            let response = try await CurlClient().send(CurlRequest(method: "GET", url: base + "redirect"))
            #expect(response.status == 303)
            #expect(response.header("location") == "/echo")
        }
    }

    @Test func repeatedHeadersAreKeptApart() async throws {
        try await LoopbackServer.with(Self.router()) { base in
            let response = try await CurlClient().send(CurlRequest(method: "GET", url: base + "cookies"))
            #expect(response.status == 201)
            #expect(response.headers(named: "set-cookie") == ["a=1; Path=/", "b=2; Path=/"])
            #expect(String(decoding: response.body, as: UTF8.self) == "made")
        }
    }

    @Test func manyRequestsAtOnceEachGetTheirOwnAnswer() async throws {
        try await LoopbackServer.with(Self.router()) { base in
            let client = CurlClient(idleLimit: 4)
            let bodies = try await withThrowingTaskGroup(of: String.self) { group in
                for index in 0..<32 {
                    group.addTask {
                        let response = try await client.send(
                            CurlRequest(method: "POST", url: base + "echo", body: Data("request \(index)".utf8)))
                        return try Self.echoed(response)["body"] ?? ""
                    }
                }
                return try await group.reduce(into: Set<String>()) { $0.insert($1) }
            }
            #expect(bodies == Set((0..<32).map { "request \($0)" }))
        }
    }

    @Test func aSlowServerTimesOut() async throws {
        try await LoopbackServer.with(Self.router()) { base in
            let error = await #expect(throws: CurlError.self) {
                try await CurlClient().send(CurlRequest(method: "GET", url: base + "slow", timeout: .milliseconds(200)))
            }
            #expect(error?.kind == .timedOut)
        }
    }

    @Test func aCancelledRequestReturnsAtOnce() async throws {
        let (arrivals, arrived) = AsyncStream.makeStream(of: Void.self)
        try await LoopbackServer.with(Self.router(arrivals: arrived)) { base in
            let client = CurlClient()
            let request = Task { try await client.send(CurlRequest(method: "GET", url: base + "slow")) }
            for await _ in arrivals { break }
            request.cancel()
            let started = ContinuousClock.now
            let result = await request.result
            #expect(ContinuousClock.now - started < .seconds(4))
            #expect(throws: CurlError.self) { try result.get() }
        }
    }

    @Test func nothingListeningIsCouldNotConnect() async throws {
        // Port 1 (tcpmux) is served by nothing here: the connection is refused.
        let error = await #expect(throws: CurlError.self) {
            try await CurlClient().send(CurlRequest(method: "GET", url: "http://127.0.0.1:1/"))
        }
        #expect(error?.kind == .couldNotConnect)
    }

    @Test func aURLThatIsNotHTTPIsRefused() async throws {
        let error = await #expect(throws: CurlError.self) {
            try await CurlClient().send(CurlRequest(method: "GET", url: "file:///etc/passwd"))
        }
        #expect(error?.kind == .badURL)
    }
}
