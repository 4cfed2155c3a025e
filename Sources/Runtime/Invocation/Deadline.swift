import Foundation
import Synchronization

/// Thrown when a handler runs past its function's timeout.
public struct FunctionTimedOut: Error, Sendable, CustomStringConvertible {
    /// The function.
    public var function: String
    /// The timeout, in seconds.
    public var seconds: Double

    public var description: String {
        "\(function) timed out after \(seconds.formatted()) s"
    }
}

/// Runs handlers with a time limit.
enum Deadline {
    /// The value of `operation`, or ``FunctionTimedOut`` once `seconds` have passed. On time-out the handler
    /// is cancelled and abandoned: the caller gets its answer at once even if the handler ignores
    /// cancellation. Whatever the handler commits afterwards is safe to retry, because event consumers are
    /// de-duplicated through their inbox.
    static func run<T: Sendable>(
        _ function: String, seconds: Double, _ operation: @escaping @Sendable () async throws -> T
    ) async throws -> T {
        let outcome = Mutex<CheckedContinuation<T, any Error>?>(nil)
        let tasks = Mutex<[Task<Void, Never>]>([])
        let resume: @Sendable (Result<T, any Error>) -> Void = { result in
            let continuation = outcome.withLock { continuation in
                defer { continuation = nil }
                return continuation
            }
            continuation?.resume(with: result)
        }
        defer { for task in tasks.withLock({ $0 }) { task.cancel() } }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                outcome.withLock { $0 = continuation }
                let work = Task { resume(await capture(operation)) }
                let alarm = Task {
                    guard (try? await Task.sleep(for: .milliseconds(Int64(seconds * 1000)))) != nil else { return }
                    resume(.failure(FunctionTimedOut(function: function, seconds: seconds)))
                    work.cancel()
                }
                tasks.withLock { $0 = [work, alarm] }
            }
        } onCancel: {
            for task in tasks.withLock({ $0 }) { task.cancel() }
        }
    }

    private static func capture<T>(_ body: () async throws -> T) async -> Result<T, any Error> {
        do {
            return .success(try await body())
        } catch {
            return .failure(error)
        }
    }
}
