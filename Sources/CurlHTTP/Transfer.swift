import CCurl
import Foundation
import Synchronization

/// One request under way: its options are set on an easy handle, libcurl calls back with the answer's
/// header lines and body, and the waiting task is resumed once, by the transfer's end or its cancellation.
final class Transfer: Sendable {
    private struct State {
        var continuation: CheckedContinuation<CurlResponse, any Error>?
        var cancelled = false
        var headers: [CurlHeader] = []
        var body = Data()
    }

    private let state = Mutex(State())

    /// Keeps `continuation` to resume later; false (and resumed with the cancellation) when cancelled before.
    func start(_ continuation: CheckedContinuation<CurlResponse, any Error>) -> Bool {
        let cancelled = state.withLock { state in
            if !state.cancelled { state.continuation = continuation }
            return state.cancelled
        }
        if cancelled { continuation.resume(throwing: CurlError(.cancelled, "cancelled")) }
        return !cancelled
    }

    /// Resumes the waiting task at once; the transfer stops at libcurl's next progress call.
    func cancel() {
        let continuation = state.withLock { state in
            state.cancelled = true
            defer { state.continuation = nil }
            return state.continuation
        }
        continuation?.resume(throwing: CurlError(.cancelled, "cancelled"))
    }

    /// Resumes the waiting task with `result`, unless it was cancelled.
    func finish(_ result: Result<CurlResponse, any Error>) {
        let continuation = state.withLock { state in
            defer { state.continuation = nil }
            return state.continuation
        }
        continuation?.resume(with: result)
    }

    /// Runs `request` on `handle`, on the calling thread.
    func perform(_ request: CurlRequest, on handle: EasyHandle) throws -> CurlResponse {
        let easy = handle.pointer
        var errorBuffer = [CChar](repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
        var headerList: UnsafeMutablePointer<curl_slist>?
        defer { ticketing_curl_slist_free_all(headerList) }
        func check(_ code: CURLcode) throws {
            guard code == CURLE_OK else { throw CurlError(code: code, detail: "") }
        }
        try check(ticketing_curl_setopt_pointer(easy, CURLOPT_URL, request.url))
        try check(ticketing_curl_setopt_long(easy, CURLOPT_NOSIGNAL, 1))
        try check(ticketing_curl_setopt_long(easy, CURLOPT_FOLLOWLOCATION, 0))
        try check(ticketing_curl_setopt_long(easy, CURLOPT_TIMEOUT_MS, Self.milliseconds(request.timeout)))
        try check(ticketing_curl_setopt_long(easy, CURLOPT_TCP_NODELAY, 1))
        try check(ticketing_curl_allow_http_only(easy))
        let method = request.method.uppercased()
        var fields = request.headers
        // A POST, PUT or PATCH without a body says so with `Content-Length: 0`.
        let body = request.body ?? (["POST", "PUT", "PATCH"].contains(method) ? Data() : nil)
        switch (method, body) {
        case ("GET", nil):
            try check(ticketing_curl_setopt_long(easy, CURLOPT_HTTPGET, 1))
        case ("HEAD", nil):
            try check(ticketing_curl_setopt_long(easy, CURLOPT_NOBODY, 1))
        case (_, let body?):
            try check(ticketing_curl_setopt_off(easy, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(body.count)))
            if body.isEmpty {
                try check(ticketing_curl_setopt_pointer(easy, CURLOPT_COPYPOSTFIELDS, ""))
            } else {
                try body.withUnsafeBytes { bytes in
                    try check(ticketing_curl_setopt_pointer(easy, CURLOPT_COPYPOSTFIELDS, bytes.baseAddress))
                }
            }
            if method != "POST" { try check(ticketing_curl_setopt_pointer(easy, CURLOPT_CUSTOMREQUEST, method)) }
            // libcurl would add a form content type and `Expect: 100-continue` to a body: send neither.
            if !fields.contains(where: { $0.name.caseInsensitiveCompare("content-type") == .orderedSame }) {
                fields.append(CurlHeader("Content-Type", ""))
            }
            fields.append(CurlHeader("Expect", ""))
        case (_, nil):
            try check(ticketing_curl_setopt_pointer(easy, CURLOPT_CUSTOMREQUEST, method))
        }
        for field in fields {
            // `Name;` sends an empty value; `Name:` removes a header libcurl would add.
            let removes = field.value.isEmpty && ["content-type", "expect"].contains(field.name.lowercased())
            let line =
                removes ? "\(field.name):" : field.value.isEmpty ? "\(field.name);" : "\(field.name): \(field.value)"
            guard let list = ticketing_curl_slist_append(headerList, line) else {
                throw CurlError(.other, "out of memory for the request's headers")
            }
            headerList = list
        }
        try check(ticketing_curl_setopt_pointer(easy, CURLOPT_HTTPHEADER, headerList))
        let user = Unmanaged.passUnretained(self).toOpaque()
        try check(ticketing_curl_set_callbacks(easy, Self.onBody, Self.onHeader, Self.onProgress, user))
        let code = errorBuffer.withUnsafeMutableBufferPointer { buffer in
            _ = ticketing_curl_setopt_pointer(easy, CURLOPT_ERRORBUFFER, buffer.baseAddress)
            defer { _ = ticketing_curl_setopt_pointer(easy, CURLOPT_ERRORBUFFER, nil) }
            return ticketing_curl_easy_perform(easy)
        }
        guard code == CURLE_OK else {
            let detail = String(decoding: errorBuffer.prefix { $0 != 0 }.map(UInt8.init), as: UTF8.self)
            throw CurlError(code: code, detail: detail)
        }
        var status = 0
        try check(ticketing_curl_getinfo_long(easy, CURLINFO_RESPONSE_CODE, &status))
        return state.withLock { CurlResponse(status: status, headers: $0.headers, body: $0.body) }
    }

    private static func milliseconds(_ duration: Duration) -> Int {
        let (seconds, attoseconds) = duration.components
        return max(1, Int(seconds) * 1000 + Int(attoseconds / 1_000_000_000_000_000))
    }

    private static func transfer(_ user: UnsafeMutableRawPointer?) -> Transfer? {
        user.map { Unmanaged<Transfer>.fromOpaque($0).takeUnretainedValue() }
    }

    /// Body bytes, as they arrive.
    private static let onBody: ticketing_curl_data_callback = { data, size, count, user in
        guard let transfer = transfer(user), let data else { return 0 }
        let length = size * count
        transfer.state.withLock {
            $0.body.append(UnsafeRawPointer(data).assumingMemoryBound(to: UInt8.self), count: length)
        }
        return length
    }

    /// One header line at a time; a status line starts the headers of a new answer (after `100 Continue`).
    private static let onHeader: ticketing_curl_data_callback = { data, size, count, user in
        guard let transfer = transfer(user), let data else { return 0 }
        let length = size * count
        let line = String(decoding: UnsafeRawBufferPointer(start: data, count: length), as: UTF8.self)
        transfer.state.withLock { state in
            if line.hasPrefix("HTTP/") {
                state.headers = []
            } else if let colon = line.firstIndex(of: ":") {
                let name = line[..<colon].trimmingCharacters(in: .whitespaces)
                let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespacesAndNewlines)
                if !name.isEmpty { state.headers.append(CurlHeader(name, value)) }
            }
        }
        return length
    }

    /// Aborts the transfer once the waiting task is cancelled.
    private static let onProgress: ticketing_curl_progress_callback = { user, _, _, _, _ in
        guard let transfer = transfer(user) else { return 1 }
        return transfer.state.withLock { $0.cancelled } ? 1 : 0
    }
}
