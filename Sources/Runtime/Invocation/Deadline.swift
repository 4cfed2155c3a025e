import Foundation
import FunctionKit
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
    ///
    /// The handler runs in a task of its own (so that it can be abandoned), started on the caller's thread
    /// (`Task.immediate`): a handler that finishes without suspending — a point read on SQLite, say — is
    /// answered there, without a hop to another thread and back, and needs no alarm. One that suspends gets
    /// its time limit as an alarm on the process's shared ``Alarms``, not a second task.
    ///
    /// The time limit runs on `clock`: on the system clock an alarm on the process's shared ``Alarms``; on a
    /// clock a test moves, it falls due when the test moves it past the limit.
    static func run<T: Sendable>(
        _ function: String, seconds: Double, on clock: any WallClock = SystemClock(),
        _ operation: @escaping @Sendable () async throws -> T
    ) async throws -> T {
        let race = Race<T>()
        let work = Task.immediate { race.finish(await capture(operation)) }
        if let early = race.takeEarly() { return try early.get() }
        defer { race.disarm() }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                race.start(
                    continuation, work: work,
                    alarm: Alarm.set(on: clock, after: seconds) {
                        race.finish(.failure(FunctionTimedOut(function: function, seconds: seconds)))
                    })
            }
        } onCancel: {
            race.cancel()
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

/// The handler's result against its alarm: whichever comes first answers the caller; the other is ignored.
private final class Race<T: Sendable>: Sendable {
    private struct State {
        var continuation: CheckedContinuation<T, any Error>?
        /// An answer that came before the continuation was stored.
        var early: Result<T, any Error>?
        var work: Task<Void, Never>?
        var alarm: Alarm?
        var cancelled = false
    }

    private let state = Mutex(State())

    /// Stores what answers the caller and what to stop; answers at once if the handler already finished.
    func start(_ continuation: CheckedContinuation<T, any Error>, work: Task<Void, Never>, alarm: Alarm) {
        let (early, cancelled) = state.withLock { state -> (Result<T, any Error>?, Bool) in
            state.work = work
            state.alarm = alarm
            guard let early = state.early else {
                state.continuation = continuation
                return (nil, state.cancelled)
            }
            state.early = nil
            return (early, false)
        }
        if let early { continuation.resume(with: early) }
        if cancelled { work.cancel() }
    }

    /// The handler's result, if it came before anything waited for it (it never suspended).
    func takeEarly() -> Result<T, any Error>? {
        state.withLock { state in
            defer { state.early = nil }
            return state.early
        }
    }

    /// The handler's result or the time-out: the first one answers; a time-out also cancels the handler.
    func finish(_ result: Result<T, any Error>) {
        let (continuation, work) = state.withLock { state -> (CheckedContinuation<T, any Error>?, Task<Void, Never>?) in
            guard let continuation = state.continuation else {
                if state.early == nil, state.alarm == nil { state.early = result }
                return (nil, nil)
            }
            state.continuation = nil
            return (continuation, state.work)
        }
        continuation?.resume(with: result)
        if case .failure(let error) = result, error is FunctionTimedOut { work?.cancel() }
    }

    /// The caller was cancelled: so is the handler.
    func cancel() {
        let work = state.withLock { state in
            state.cancelled = true
            return state.work
        }
        work?.cancel()
    }

    /// The caller has its answer: the alarm is not needed any more.
    func disarm() {
        state.withLock { $0.alarm }?.cancel()
    }
}
