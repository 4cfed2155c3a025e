import SQLKit
import Synchronization

/// Transactions on one SQLite writer, committed in groups: the caller that finds the writer free leads a
/// group made of its own transaction and every one waiting at that moment (up to ``limit``). Each runs in a
/// savepoint of its own — one that fails is rolled back alone — and one `COMMIT` makes them all durable;
/// every caller is answered only after that commit. The next waiting caller then leads the next group.
///
/// A commit writes each page a transaction touched once, whatever the number of transactions in it: the
/// table and index pages that concurrent inserts share are written once per group instead of once each.
final class GroupCommit: Sendable {
    /// One caller's transaction, until its group has committed.
    final class Member: @unchecked Sendable {
        // Set by the caller before it joins; run and cleared by the group's leader, which sets `result`
        // and only then resumes `wake` (the resumption orders these writes before the caller's reads).
        fileprivate var body: (@Sendable (any SQLDatabase) async throws -> Void)?
        fileprivate var result: Result<Void, any Error>?
        fileprivate var wake: CheckedContinuation<Bool, Never>?

        /// A transaction whose `body` keeps its own value.
        init(_ body: @escaping @Sendable (any SQLDatabase) async throws -> Void) {
            self.body = body
        }
    }

    private struct State {
        var leading = false
        var waiting: [Member] = []
    }

    /// The most transactions one group holds.
    let limit: Int
    private let state = Mutex(State())

    /// How many transactions wait for the next group.
    var waiting: Int { state.withLock { $0.waiting.count } }

    /// A group commit of at most `limit` transactions at a time.
    init(limit: Int = 64) {
        self.limit = max(1, limit)
    }

    /// Runs `member` in a group, leading one with `commit` when it is this caller's turn; returns once the
    /// member's group has ended, with the member's result.
    func run(_ member: Member, commit: @escaping @Sendable ([Member]) async -> Void) async -> Result<Void, any Error> {
        let leadsNow = state.withLock { state in
            guard !state.leading else { return false }
            state.leading = true
            return true
        }
        let leads =
            leadsNow
            ? true
            : await withCheckedContinuation { continuation in
                let free = state.withLock { state in
                    guard state.leading else {
                        state.leading = true
                        return true
                    }
                    member.wake = continuation
                    state.waiting.append(member)
                    return false
                }
                if free { continuation.resume(returning: true) }
            }
        if leads { await lead(member, commit: commit) }
        return member.result ?? .failure(CancellationError())
    }

    /// Commits a group of `member` and those waiting, wakes them, and hands the lead to the next in line.
    private func lead(_ member: Member, commit: @escaping @Sendable ([Member]) async -> Void) async {
        let others = state.withLock { state in
            let taken = Array(state.waiting.prefix(limit - 1))
            state.waiting.removeFirst(taken.count)
            return taken
        }
        let group = [member] + others
        // In a task of its own: cancelling the leader (a handler abandoned at its timeout) must not reach
        // the transactions of the others, nor stop its own before its end. Requests enqueue it: the hop lets
        // more of them join the next group (started at once on this thread, groups were smaller and POST
        // throughput fell by a fifth). Delivery, which runs at high priority one event after another and waits
        // for each commit, starts it on this thread: its latency is the hops, not the commits.
        if Task.currentPriority >= .high {
            await Task.immediate { await commit(group) }.value
        } else {
            await Task { await commit(group) }.value
        }
        for other in others { other.wake?.resume(returning: false) }
        let next = state.withLock { state -> Member? in
            guard !state.waiting.isEmpty else {
                state.leading = false
                return nil
            }
            return state.waiting.removeFirst()
        }
        next?.wake?.resume(returning: true)
    }

    /// Runs `member`'s body in a savepoint of the open transaction: kept when it returns, rolled back alone
    /// when it throws. (A failure SQLite answers by rolling everything back closes the transaction: the
    /// caller sees `handle.isAutocommit`.)
    static func runBody(of member: Member, in session: any SQLDatabase, handle: SQLiteHandle, savepoint: String)
        async -> (any Error)?
    {
        guard let body = member.body else { return CancellationError() }
        member.body = nil
        do {
            try handle.run("SAVEPOINT \(savepoint)")
            try await body(session)
            try handle.run("RELEASE \(savepoint)")
            return nil
        } catch {
            if !handle.isAutocommit {
                try? handle.run("ROLLBACK TO \(savepoint)")
                try? handle.run("RELEASE \(savepoint)")
            }
            return error
        }
    }

    /// Sets `member`'s result.
    static func finish(_ member: Member, _ result: Result<Void, any Error>) {
        member.result = result
    }
}

/// The value a transaction's body returned, handed from the group's leader to the caller.
final class TransactionValue<T: Sendable>: @unchecked Sendable {
    // Written by the leader before the caller is resumed, read by the caller after.
    var value: T?
}
