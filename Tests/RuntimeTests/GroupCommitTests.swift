import Synchronization
import Testing

@testable import Runtime

/// The grouping itself, with a commit that records the groups it is handed.
@Suite struct GroupCommitTests {
    /// Records each group and holds the first until told.
    final class Commits: Sendable {
        private let recorded = Mutex<[Int]>([])
        let (firstStarted, startFirst) = AsyncStream.makeStream(of: Void.self)
        let (gate, open) = AsyncStream.makeStream(of: Void.self)

        /// The size of each group committed, in order.
        var groups: [Int] { recorded.withLock { $0 } }

        func commit(_ members: [GroupCommit.Member]) async {
            let first = recorded.withLock { recorded in
                recorded.append(members.count)
                return recorded.count == 1
            }
            if first {
                startFirst.yield()
                for await _ in gate { break }
            }
            for member in members { GroupCommit.finish(member, .success(())) }
        }
    }

    @Test func transactionsArrivingWhileAGroupCommitsFormTheNextGroupTogether() async throws {
        let group = GroupCommit(limit: 64)
        let commits = Commits()
        let first = Task { await group.run(GroupCommit.Member { _ in }) { await commits.commit($0) } }
        for await _ in commits.firstStarted { break }
        let waiting = (0..<5).map { _ in
            Task { await group.run(GroupCommit.Member { _ in }) { await commits.commit($0) } }
        }
        while group.waiting < 5 { await Task.yield() }
        commits.open.yield()
        _ = await first.value
        for task in waiting { #expect((try? await task.value.get()) != nil) }
        #expect(commits.groups == [1, 5])
    }

    @Test func aGroupHoldsAtMostItsLimit() async throws {
        let group = GroupCommit(limit: 2)
        let commits = Commits()
        let first = Task { await group.run(GroupCommit.Member { _ in }) { await commits.commit($0) } }
        for await _ in commits.firstStarted { break }
        let waiting = (0..<5).map { _ in
            Task { await group.run(GroupCommit.Member { _ in }) { await commits.commit($0) } }
        }
        while group.waiting < 5 { await Task.yield() }
        commits.open.yield()
        _ = await first.value
        for task in waiting { _ = await task.value }
        #expect(commits.groups == [1, 2, 2, 1])
    }
}
