import SQLKit

/// Runs a transaction in a task of its own, which the caller's cancellation does not reach. The caller still
/// waits for it to end, so the transaction's body never outlives the call.
enum CancellationShield {
    /// Calls `work` with `body` from an unstructured task and waits for its result.
    static func run<T: Sendable>(
        _ body: @Sendable (any SQLDatabase) async throws -> T,
        _ work: @escaping @Sendable (@escaping @Sendable (any SQLDatabase) async throws -> T) async throws -> T
    ) async throws -> T {
        try await withoutActuallyEscaping(body) { escapable in
            try await Task { try await work(escapable) }.value
        }
    }
}
