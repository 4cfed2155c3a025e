import CCurl
import Foundation
import Synchronization

/// An HTTP/1.1 and HTTP/2 client over libcurl, which it loads the first time a request is sent: a process
/// that never sends one never loads libcurl or the libraries libcurl needs.
///
/// Each transfer runs on a thread of its own (libcurl's easy interface blocks), so a slow server holds up
/// only its own request. Finished handles are kept, with their open connections, for the next request.
/// Redirects are not followed and no cookies are kept: the caller sees each answer as the server gave it.
public final class CurlClient: Sendable {
    /// How many idle handles (each with its connections) are kept.
    public let idleLimit: Int
    private let idle = Mutex<[EasyHandle]>([])

    /// A client keeping up to `idleLimit` idle handles.
    public init(idleLimit: Int = 16) {
        self.idleLimit = idleLimit
    }

    deinit {
        idle.withLock { handles in
            for handle in handles { ticketing_curl_easy_cleanup(handle.pointer) }
            handles = []
        }
    }

    /// Whether libcurl can be loaded here; the error says why not.
    public static func load() throws {
        try loaded.get()
    }

    /// Loading libcurl, tried once per process (the first request pays for it).
    private static let loaded: Result<Void, CurlError> = {
        var buffer = [CChar](repeating: 0, count: 512)
        guard ticketing_curl_load(&buffer, buffer.count) == 0 else {
            return .failure(
                CurlError(.unavailable, String(decoding: buffer.prefix { $0 != 0 }.map(UInt8.init), as: UTF8.self)))
        }
        return .success(())
    }()

    /// Sends `request` and returns the answer, whatever its status. Throws ``CurlError`` when there is no
    /// answer; when the calling task is cancelled it returns at once with ``CurlError/Kind/cancelled`` and the
    /// transfer is aborted.
    public func send(_ request: CurlRequest) async throws -> CurlResponse {
        try Self.load()
        let handle = try take()
        let transfer = Transfer()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<CurlResponse, any Error>) in
                guard transfer.start(continuation) else { return }
                let thread = Thread { [self] in
                    let result = Result { try transfer.perform(request, on: handle) }
                    self.giveBack(handle)
                    transfer.finish(result)
                }
                thread.name = "curl"
                thread.start()
            }
        } onCancel: {
            transfer.cancel()
        }
    }

    private func take() throws -> EasyHandle {
        if let handle = idle.withLock({ $0.popLast() }) { return handle }
        guard let pointer = ticketing_curl_easy_init() else {
            throw CurlError(.other, "curl_easy_init failed")
        }
        return EasyHandle(pointer: pointer)
    }

    private func giveBack(_ handle: EasyHandle) {
        ticketing_curl_easy_reset(handle.pointer)
        let kept = idle.withLock { handles in
            guard handles.count < idleLimit else { return false }
            handles.append(handle)
            return true
        }
        if !kept { ticketing_curl_easy_cleanup(handle.pointer) }
    }
}

/// A libcurl easy handle; used by one transfer at a time.
struct EasyHandle: @unchecked Sendable {
    let pointer: UnsafeMutableRawPointer
}
