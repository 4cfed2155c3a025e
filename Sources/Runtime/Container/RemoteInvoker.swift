import CurlHTTP
import Foundation
import FunctionKit

/// Sends one event to a function running elsewhere and reads its answer back as a local invocation's:
/// `ticketing invoke <function> --url URL`.
///
/// Two kinds of endpoint are understood:
/// - a container-mode `ticketing function`: an HTTP function gets the API Gateway v2 event as the real HTTP
///   request it describes (method, path and query, headers, cookies, body) and its answer comes back as a v2
///   response; an event function gets the CloudEvent in binary mode, `POST /`, and its status says how it ended
///   (as the dispatcher reads it);
/// - the Lambda Runtime Interface Emulator (a URL whose path is
///   `/2015-03-31/functions/function/invocations`): the event is posted as it is, and the function's result —
///   a v2 response, or an event function's `{"status": …}` — or its Lambda error comes back.
public struct RemoteInvoker: Sendable {
    /// The path the Lambda Runtime Interface Emulator takes invocations on.
    public static let emulatorPath = "/2015-03-31/functions/function/invocations"

    /// Where the function runs.
    public let url: URL
    /// How long to wait for its answer.
    public let timeout: Duration
    private let client = CurlClient(idleLimit: 1)

    /// A remote invoker for the function at `url` (http or https).
    public init(url: URL, timeout: Duration = .seconds(60)) {
        self.url = url
        self.timeout = timeout
    }

    /// Whether `url` is a Lambda Runtime Interface Emulator's invocation endpoint.
    public var isLambdaEmulator: Bool { url.path == Self.emulatorPath }

    /// Why a remote invocation could not be made or read.
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    /// Sends the HTTP event `request` and returns the v2 response.
    public func invoke(http request: HTTPRequest) async throws -> HTTPResponse {
        if isLambdaEmulator {
            let answer = try await post(try JSONEncoder().encode(request))
            try Self.refuseLambdaError(answer.body)
            do {
                return try JSONDecoder().decode(HTTPResponse.self, from: answer.body)
            } catch {
                throw Failure(description: "the emulator's answer is not a v2 response: \(Self.text(answer.body))")
            }
        }
        let answer = try await send(
            CurlRequest(
                method: request.requestContext.http.method, url: try target(of: request),
                headers: Self.headers(of: request), body: request.bodyData, timeout: timeout))
        return Self.response(answer)
    }

    /// Sends `event` to an event function and returns how it ended.
    public func invoke(event: CloudEvent) async throws -> EventOutcome {
        if isLambdaEmulator {
            let answer = try await post(try JSONEncoder().encode(event))
            if let error = try? JSONDecoder().decode(LambdaError.self, from: answer.body) {
                switch error.errorType {
                case "Runtime.RejectedEvent", "Runtime.InvalidEvent": return .rejected(error.errorMessage)
                case "Runtime.Deferred": return .deferred(error.errorMessage)
                default: return .failed("\(error.errorType): \(error.errorMessage)")
                }
            }
            let reply = try? JSONDecoder().decode([String: String].self, from: answer.body)
            return reply?["status"] == "duplicate" ? .duplicate : .handled
        }
        let answer = try await send(
            CurlRequest(
                method: "POST", url: url.absoluteString,
                headers: RemoteFunctions.headers(of: event).sorted { $0.key < $1.key }.map {
                    CurlHeader($0.key, $0.value)
                },
                body: try event.data.map { Data(try JSONCoding.string($0).utf8) }, timeout: timeout))
        let outcome = RemoteFunctions.outcome(status: answer.status, body: answer.body)
        // The function's own words, when its answer is the error shape, rather than the whole body.
        guard let reply = try? JSONDecoder().decode(ErrorBody.self, from: answer.body), !reply.errors.isEmpty else {
            return outcome
        }
        let message = reply.errors.map(\.message).joined(separator: "; ")
        switch outcome {
        case .handled, .duplicate: return outcome
        case .rejected: return .rejected(message)
        case .failed: return .failed("HTTP \(answer.status): \(message)")
        case .deferred: return .deferred(message)
        }
    }

    /// The URL the v2 event `request` asks for, on the container: its raw path and query.
    func target(of request: HTTPRequest) throws -> String {
        let base = url.absoluteString.hasSuffix("/") ? String(url.absoluteString.dropLast()) : url.absoluteString
        let query = request.rawQueryString.isEmpty ? "" : "?" + request.rawQueryString
        guard let target = URL(string: base + request.rawPath + query), target.host == url.host else {
            throw Failure(description: "the event's path or query is not a URL: \(request.rawPath)\(query)")
        }
        return target.absoluteString
    }

    /// The request's headers to send: its own (without those of its connection) and its cookies as one
    /// `cookie` field, as API Gateway splits them out.
    static func headers(of request: HTTPRequest) -> [CurlHeader] {
        var headers = request.headers.filter { !RequestForwarder.hopByHop.contains($0.key) }
            .sorted { $0.key < $1.key }.map { CurlHeader($0.key, $0.value) }
        if !request.cookies.isEmpty { headers.append(CurlHeader("cookie", request.cookies.joined(separator: "; "))) }
        return headers
    }

    /// A container's HTTP answer as a v2 response: `set-cookie` fields as cookies, a body that is not UTF-8
    /// text in base64.
    static func response(_ answer: CurlResponse) -> HTTPResponse {
        var headers: [String: String] = [:]
        var cookies: [String] = []
        for header in answer.headers {
            let name = header.name.lowercased()
            if name == "set-cookie" {
                cookies.append(header.value)
            } else if !RequestForwarder.hopByHop.contains(name) {
                headers[name] = headers[name].map { "\($0),\(header.value)" } ?? header.value
            }
        }
        if let text = String(data: answer.body, encoding: .utf8) {
            return HTTPResponse(statusCode: answer.status, headers: headers, cookies: cookies, body: text)
        }
        return HTTPResponse(
            statusCode: answer.status, headers: headers, cookies: cookies, body: answer.body.base64EncodedString(),
            isBase64Encoded: true)
    }

    /// A function's error as the Lambda Runtime API reports it.
    struct LambdaError: Decodable {
        var errorType: String
        var errorMessage: String
    }

    private static func refuseLambdaError(_ body: Data) throws {
        if let error = try? JSONDecoder().decode(LambdaError.self, from: body) {
            throw Failure(description: "the function failed: \(error.errorType): \(error.errorMessage)")
        }
    }

    private func post(_ body: Data) async throws -> CurlResponse {
        try await send(
            CurlRequest(
                method: "POST", url: url.absoluteString, headers: [CurlHeader("content-type", "application/json")],
                body: body, timeout: timeout))
    }

    private func send(_ request: CurlRequest) async throws -> CurlResponse {
        do {
            return try await client.send(request)
        } catch {
            throw Failure(description: "cannot reach \(url.absoluteString): \(error)")
        }
    }

    private static func text(_ body: Data) -> String {
        String(decoding: body.prefix(500), as: UTF8.self)
    }
}
