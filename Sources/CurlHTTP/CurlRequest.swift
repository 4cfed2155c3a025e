import Foundation

/// One HTTP request for ``CurlClient``.
public struct CurlRequest: Sendable {
    /// The method, e.g. `GET` or `POST`.
    public var method: String
    /// The absolute `http` or `https` URL.
    public var url: String
    /// The header fields, in order; a name may repeat.
    public var headers: [CurlHeader]
    /// The body, if any.
    public var body: Data?
    /// How long the whole exchange may take, connecting included.
    public var timeout: Duration

    /// A request to `url`.
    public init(
        method: String, url: String, headers: [CurlHeader] = [], body: Data? = nil, timeout: Duration = .seconds(60)
    ) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeout = timeout
    }
}

/// One header field.
public struct CurlHeader: Sendable, Equatable {
    /// The name, as sent or received.
    public var name: String
    /// The value, without surrounding white space.
    public var value: String

    /// The field `name: value`.
    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }
}

/// What the server answered.
public struct CurlResponse: Sendable {
    /// The status code.
    public var status: Int
    /// The header fields of the final answer, in order (those of a `100 Continue` are not kept).
    public var headers: [CurlHeader]
    /// The body.
    public var body: Data

    /// The first value of the header `name`, whatever its case.
    public func header(_ name: String) -> String? {
        headers.first { $0.name.caseInsensitiveCompare(name) == .orderedSame }?.value
    }

    /// Every value of the header `name`, whatever its case, in order.
    public func headers(named name: String) -> [String] {
        headers.filter { $0.name.caseInsensitiveCompare(name) == .orderedSame }.map(\.value)
    }
}
