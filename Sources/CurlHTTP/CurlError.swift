import CCurl

/// A request that got no answer, with libcurl's reason.
public struct CurlError: Error, CustomStringConvertible, Sendable, Equatable {
    /// What went wrong, in the terms a caller acts on.
    public enum Kind: Sendable, Equatable {
        /// libcurl could not be loaded (libcurl4 is not installed).
        case unavailable
        /// The URL was refused before anything was sent.
        case badURL
        /// The host name did not resolve.
        case hostNotFound
        /// Nothing accepted the connection.
        case couldNotConnect
        /// The request's time-out passed first.
        case timedOut
        /// TLS could not be set up or the certificate was not trusted.
        case tls
        /// The connection ended before the whole answer arrived.
        case connectionLost
        /// The answer was not valid HTTP.
        case malformedAnswer
        /// The calling task was cancelled.
        case cancelled
        /// Anything else libcurl reports.
        case other
    }

    /// The kind of failure.
    public var kind: Kind
    /// libcurl's result code (`CURLcode`), 0 where libcurl did not run.
    public var code: Int32
    /// libcurl's message, with any detail it gave.
    public var message: String

    public var description: String { message }

    /// The error for libcurl's `code`, with the detail from its error buffer.
    init(code: CURLcode, detail: String) {
        self.code = Int32(bitPattern: code.rawValue)
        let text = String(cString: ticketing_curl_easy_strerror(code))
        message = detail.isEmpty ? text : "\(text): \(detail)"
        kind =
            switch code {
            case CURLE_UNSUPPORTED_PROTOCOL, CURLE_URL_MALFORMAT: .badURL
            case CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY: .hostNotFound
            case CURLE_COULDNT_CONNECT: .couldNotConnect
            case CURLE_OPERATION_TIMEDOUT: .timedOut
            case CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CERTPROBLEM,
                CURLE_SSL_CIPHER, CURLE_SSL_CACERT_BADFILE, CURLE_SSL_ISSUER_ERROR:
                .tls
            case CURLE_GOT_NOTHING, CURLE_RECV_ERROR, CURLE_SEND_ERROR, CURLE_PARTIAL_FILE, CURLE_HTTP2,
                CURLE_HTTP2_STREAM:
                .connectionLost
            case CURLE_WEIRD_SERVER_REPLY: .malformedAnswer
            case CURLE_ABORTED_BY_CALLBACK: .cancelled
            default: .other
            }
    }

    /// An error that is not libcurl's result.
    init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.code = 0
        self.message = message
    }
}
