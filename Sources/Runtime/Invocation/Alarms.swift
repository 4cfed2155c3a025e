import Foundation
import FunctionKit
import HeapModule
import Synchronization

/// Every invocation deadline of the process on one sleeping task: setting an alarm is a heap insert under a
/// lock, not a task and a timer of its own.
///
/// Alarms are kept in a min-heap by due time; a cancelled alarm leaves its heap entry behind until it falls
/// due or the heap is rebuilt (when stale entries outnumber live ones), so cancelling is a dictionary
/// removal. The sleeper sleeps until the earliest alarm and is replaced only when an earlier one is set,
/// which for deadlines of equal length (the common case) is never.
final class Alarms: Sendable {
    /// The process's alarms.
    static let shared = Alarms()

    private struct Entry: Comparable {
        var due: ContinuousClock.Instant
        var id: UInt64
        static func < (lhs: Entry, rhs: Entry) -> Bool { (lhs.due, lhs.id) < (rhs.due, rhs.id) }
    }

    private struct State {
        var heap = Heap<Entry>()
        var live: [UInt64: (due: ContinuousClock.Instant, ring: @Sendable () -> Void)] = [:]
        var nextID: UInt64 = 0
        /// The sleeping task's generation and the time it wakes, if one sleeps.
        var sleeper: (generation: UInt64, wakes: ContinuousClock.Instant, task: Task<Void, Never>)?
        var generation: UInt64 = 0
    }

    private let state = Mutex(State())

    /// Calls `ring` once `due` has come, unless ``cancel(_:)`` is called first; returns the alarm's id.
    func set(at due: ContinuousClock.Instant, _ ring: @escaping @Sendable () -> Void) -> UInt64 {
        state.withLock { state in
            state.nextID += 1
            let id = state.nextID
            state.live[id] = (due, ring)
            state.heap.insert(Entry(due: due, id: id))
            if state.heap.count > 2 * state.live.count + 64 {
                state.heap = Heap(state.live.map { Entry(due: $0.value.due, id: $0.key) })
            }
            if let sleeper = state.sleeper, sleeper.wakes <= due { return id }
            state.sleeper?.task.cancel()
            state.generation += 1
            let generation = state.generation
            state.sleeper = (generation, due, Task { await self.sleep(generation: generation, until: due) })
            return id
        }
    }

    /// Forgets alarm `id` (it has not rung, or rings no more).
    func cancel(_ id: UInt64) {
        state.withLock { state in
            state.live[id] = nil
            if state.live.isEmpty { state.heap = Heap() }
        }
    }

    /// The sleeper: rings what is due, then sleeps until the next alarm, until none is left or an earlier
    /// alarm replaced it.
    private func sleep(generation: UInt64, until first: ContinuousClock.Instant) async {
        var wakes = first
        while true {
            guard (try? await Task.sleep(until: wakes, clock: .continuous)) != nil else { return }
            let (due, next) = state.withLock { state -> ([@Sendable () -> Void], ContinuousClock.Instant?) in
                guard state.sleeper?.generation == generation else { return ([], nil) }
                let now = ContinuousClock.now
                var due: [@Sendable () -> Void] = []
                while let earliest = state.heap.min, earliest.due <= now {
                    state.heap.removeMin()
                    if let alarm = state.live.removeValue(forKey: earliest.id) { due.append(alarm.ring) }
                }
                guard let next = state.heap.min?.due else {
                    state.sleeper = nil
                    return (due, nil)
                }
                state.sleeper?.wakes = next
                return (due, next)
            }
            for ring in due { ring() }
            guard let next else { return }
            wakes = next
        }
    }
}

/// A time limit set on a clock: on the system clock, an entry in the process's shared ``Alarms``; on any
/// other clock (one a test or `invoke --advance` moves), a task asleep on that clock.
enum Alarm: Sendable {
    case shared(UInt64)
    case sleeper(Task<Void, Never>)

    /// Calls `ring` once `seconds` have passed on `clock`, unless ``cancel()`` is called first.
    static func set(on clock: any WallClock, after seconds: Double, _ ring: @escaping @Sendable () -> Void) -> Alarm {
        if clock is SystemClock {
            return .shared(Alarms.shared.set(at: .now + .milliseconds(Int64(seconds * 1000)), ring))
        }
        let due = clock.now.addingTimeInterval(seconds)
        return .sleeper(
            Task {
                guard (try? await clock.sleep(until: due)) != nil else { return }
                ring()
            })
    }

    /// Forgets the alarm: it rings no more.
    func cancel() {
        switch self {
        case .shared(let id): Alarms.shared.cancel(id)
        case .sleeper(let task): task.cancel()
        }
    }
}
