import Foundation

#if canImport(Glibc)
    import Glibc

    private let streamSocket = Int32(SOCK_STREAM.rawValue)
    private let sendFlags = Int32(MSG_NOSIGNAL)
#elseif canImport(Darwin)
    import Darwin

    private let streamSocket = SOCK_STREAM
    private let sendFlags: Int32 = 0
#endif

/// A request the fake server received, as it arrived on the wire.
struct RecordedRequest: Sendable, Equatable {
    var method: String
    var path: String
    /// Header values by lower-cased name.
    var headers: [String: String]
    var body: String

    /// A header's value, whatever the case of `name`.
    func header(_ name: String) -> String? { headers[name.lowercased()] }
}

/// What the fake server does with one request.
enum CannedResponse: Sendable {
    /// Answers with `status`, a JSON `body` and extra `headers`.
    case answer(status: Int, body: String, headers: [String: String] = [:])
    /// Closes the connection without a word, as a dropped connection looks to the client.
    case hangUp
    /// Waits `seconds` before hanging up, so the client times out first.
    case stall(seconds: Double)

    /// A `200` with `body`.
    static func ok(_ body: String) -> CannedResponse { .answer(status: 200, body: body) }

    /// Stripe's error object with `status`.
    static func error(
        status: Int, type: String, message: String, code: String? = nil, declineCode: String? = nil,
        param: String? = nil, headers: [String: String] = [:]
    ) -> CannedResponse {
        var fields = ["\"type\": \"\(type)\"", "\"message\": \"\(message)\""]
        if let code { fields.append("\"code\": \"\(code)\"") }
        if let declineCode { fields.append("\"decline_code\": \"\(declineCode)\"") }
        if let param { fields.append("\"param\": \"\(param)\"") }
        return .answer(status: status, body: "{\"error\": {\(fields.joined(separator: ", "))}}", headers: headers)
    }
}

/// A stand-in for Stripe's API on a loopback port: plain POSIX sockets, one connection at a time, each
/// answered from a queue of canned responses (then `fallback`) and recorded.
final class FakeStripeServer: @unchecked Sendable {
    /// The port it listens on (127.0.0.1).
    let port: Int
    private let listener: Int32
    private let lock = NSLock()
    private var recorded: [RecordedRequest] = []
    private var queue: [CannedResponse]
    private var stopped = false
    private let fallback: CannedResponse

    /// Starts listening; answers with `responses` in order, then `fallback` for every further request.
    init(_ responses: [CannedResponse] = [], otherwise fallback: CannedResponse = .answer(status: 404, body: "{}"))
        throws
    {
        queue = responses
        self.fallback = fallback
        (listener, port) = try Self.makeListener()
        let thread = Thread { [self] in acceptLoop() }
        thread.name = "FakeStripeServer:\(port)"
        thread.start()
    }

    deinit { stop() }

    /// `http://127.0.0.1:<port>`.
    var baseURL: URL { URL(string: "http://127.0.0.1:\(port)") ?? URL(fileURLWithPath: "/") }

    /// Every request received so far.
    var requests: [RecordedRequest] { lock.withLock { recorded } }

    /// Stops accepting connections. Only the first call acts: the accept loop closes the listener when it
    /// ends, and its descriptor number may then belong to another socket.
    func stop() {
        lock.withLock {
            guard !stopped else { return }
            stopped = true
            _ = shutdown(listener, Int32(SHUT_RDWR))
        }
    }

    // MARK: - Sockets

    private static func makeListener() throws -> (Int32, Int) {
        let socket = try loopbackSocket()
        guard listen(socket, 16) == 0 else { throw SocketError("listen", errno) }
        return (socket, try boundPort(socket))
    }

    /// A TCP socket bound to 127.0.0.1 on a free port, not yet listening.
    static func loopbackSocket() throws -> Int32 {
        let fd = socket(AF_INET, streamSocket, 0)
        guard fd >= 0 else { throw SocketError("socket", errno) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0 else {
            close(fd)
            throw SocketError("bind", errno)
        }
        return fd
    }

    /// The port `fd` is bound to.
    static func boundPort(_ fd: Int32) throws -> Int {
        var address = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let result = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard result == 0 else { throw SocketError("getsockname", errno) }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// A loopback port nothing listens on: bound, read, released.
    static func closedPort() throws -> Int {
        let fd = try loopbackSocket()
        defer { close(fd) }
        return try boundPort(fd)
    }

    private func acceptLoop() {
        defer {
            lock.withLock {
                stopped = true
                _ = close(listener)
            }
        }
        while true {
            let client = accept(listener, nil, nil)
            if client < 0 {
                if errno == EINTR { continue }
                return
            }
            serve(client)
            close(client)
        }
    }

    private func serve(_ client: Int32) {
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        _ = setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var buffer = [UInt8]()
        let separator: [UInt8] = Array("\r\n\r\n".utf8)
        var headerEnd: Int?
        while headerEnd == nil {
            guard let chunk = receive(client) else { return }
            buffer += chunk
            headerEnd = buffer.firstRange(of: separator)?.upperBound
        }
        guard let headerEnd else { return }
        let head = String(decoding: buffer[..<headerEnd], as: UTF8.self)
        var lines = head.components(separatedBy: "\r\n").filter { !$0.isEmpty }
        guard !lines.isEmpty else { return }
        let requestLine = lines.removeFirst().split(separator: " ")
        var headers: [String: String] = [:]
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let name = line[..<colon].trimmingCharacters(in: .whitespaces).lowercased()
            headers[name] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        if headers["expect"]?.lowercased() == "100-continue" {
            write(all: Array("HTTP/1.1 100 Continue\r\n\r\n".utf8), to: client)
        }
        let length = Int(headers["content-length"] ?? "") ?? 0
        var body = Array(buffer[headerEnd...])
        while body.count < length {
            guard let chunk = receive(client) else { break }
            body += chunk
        }
        let request = RecordedRequest(
            method: requestLine.first.map(String.init) ?? "",
            path: requestLine.dropFirst().first.map(String.init) ?? "",
            headers: headers, body: String(decoding: body, as: UTF8.self))
        let response = lock.withLock {
            recorded.append(request)
            return queue.isEmpty ? fallback : queue.removeFirst()
        }
        switch response {
        case .hangUp:
            return
        case .stall(let seconds):
            Thread.sleep(forTimeInterval: seconds)
        case .answer(let status, let text, let extra):
            let payload = Array(text.utf8)
            var head = "HTTP/1.1 \(status) Canned\r\nContent-Type: application/json\r\n"
            head += "Content-Length: \(payload.count)\r\nConnection: close\r\n"
            for (name, value) in extra.sorted(by: { $0.key < $1.key }) { head += "\(name): \(value)\r\n" }
            write(all: Array((head + "\r\n").utf8) + payload, to: client)
        }
    }

    private func receive(_ client: Int32) -> [UInt8]? {
        var chunk = [UInt8](repeating: 0, count: 4096)
        let count = chunk.withUnsafeMutableBytes { recv(client, $0.baseAddress, $0.count, 0) }
        guard count > 0 else { return nil }
        return Array(chunk[..<count])
    }

    private func write(all bytes: [UInt8], to client: Int32) {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes {
                send(client, $0.baseAddress, $0.count, sendFlags)
            }
            guard sent > 0 else { return }
            offset += sent
        }
    }
}

/// A socket call that failed.
struct SocketError: Error, CustomStringConvertible {
    var description: String

    init(_ call: String, _ code: Int32) {
        description = "\(call) failed: \(String(cString: strerror(code)))"
    }
}
