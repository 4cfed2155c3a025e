import FunctionKit

/// Hears every committed transaction of every invocation and wakes whoever has new work: the dispatcher
/// when events were published, the scheduler when timers were set or withdrawn.
public final class CommitFeed: Sendable {
    /// Rung when an outbox gained events.
    public let published = Doorbell()
    /// Rung when timers were scheduled or cancelled.
    public let scheduled = Doorbell()

    /// Creates a feed.
    public init() {}

    /// Called with one transaction's effects right after it committed.
    public func committed(_ effects: [Effect]) {
        var publishedAny = false
        var scheduledAny = false
        for effect in effects {
            switch effect {
            case .published: publishedAny = true
            case .scheduled, .cancelledSchedule: scheduledAny = true
            }
        }
        if publishedAny { published.ring() }
        if scheduledAny { scheduled.ring() }
    }
}
