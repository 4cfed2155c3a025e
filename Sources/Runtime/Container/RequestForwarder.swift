import CurlHTTP
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// Sends a request on to another HTTP server as it came, less the fields that belong to one connection, and
/// turns the answer back into a response: what the gateway front (``FunctionProxy``) and the front of
/// `ticketing serve --watch` both do. Redirects are passed back, never followed.
public struct RequestForwarder: Sendable {
    private let client: CurlClient

    /// A forwarder keeping up to `connections` idle connections for reuse.
    public init(connections: Int = 64) {
        client = CurlClient(idleLimit: connections)
    }

    /// `request`'s method and fields with `body`, sent to `url`, answered within `timeout`; throws the
    /// ``CurlError`` of a server that cannot be reached or does not answer in time.
    public func send(_ request: Request, body: ByteBuffer, to url: URL, timeout: Duration) async throws -> Response {
        let forwarded = CurlRequest(
            method: request.method.rawValue, url: url.absoluteString,
            headers: request.headers.filter { !Self.hopByHop.contains($0.name.canonicalName.lowercased()) }.map {
                CurlHeader($0.name.canonicalName, $0.value)
            },
            body: body.readableBytes > 0 ? Data(buffer: body) : nil, timeout: timeout)
        let answer = try await client.send(forwarded)
        var fields = HTTPFields()
        for header in answer.headers {
            guard !Self.hopByHop.contains(header.name.lowercased()), let name = HTTPField.Name(header.name) else {
                continue
            }
            fields.append(HTTPField(name: name, value: header.value))
        }
        return Response(
            status: .init(code: answer.status), headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: answer.body))
        )
    }

    /// `request`'s body, up to `limit` bytes; nil beyond (a 413 for the client).
    public static func body(of request: Request, upTo limit: Int) async -> ByteBuffer? {
        var request = request
        return try? await request.collectBodyIfAny(upTo: limit)
    }

    /// `target` (a path and query, as the client sent it) on the server at `base`; nil when it cannot be a URL
    /// there (a 400 for the client). Parsed as text by the failable initializer: URLComponents' percent-encoded
    /// setters trap on a malformed escape.
    public static func url(_ target: String, on base: URL) -> URL? {
        let root = base.absoluteString.hasSuffix("/") ? String(base.absoluteString.dropLast()) : base.absoluteString
        guard let url = URL(string: root + target), url.host == base.host else { return nil }
        return url
    }

    /// Fields that belong to one connection, not to the request or response forwarded.
    static let hopByHop: Set<String> = [
        "connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade", "te", "trailer", "host",
        "content-length",
    ]
}
