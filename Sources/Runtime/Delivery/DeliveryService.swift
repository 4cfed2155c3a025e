import ServiceLifecycle

/// The dispatcher or the scheduler as a service of the runtime's service group: it runs until the group
/// shuts down, and on graceful shutdown finishes the delivery in progress before returning.
public struct DeliveryService: Service {
    private let loop: @Sendable () async -> Void
    private let stop: @Sendable () -> Void

    /// Runs `dispatcher`, looking for other processes' commits every `resync`.
    public init(_ dispatcher: Dispatcher, resync: Duration = .seconds(2)) {
        loop = { await dispatcher.run(resync: resync) }
        stop = { dispatcher.stop() }
    }

    /// Runs `scheduler`, looking for other processes' timers every `resync`.
    public init(_ scheduler: Scheduler, resync: Duration = .seconds(2)) {
        loop = { await scheduler.run(resync: resync) }
        stop = { scheduler.stop() }
    }

    public func run() async throws {
        await withGracefulShutdownHandler {
            await loop()
        } onGracefulShutdown: {
            stop()
        }
    }
}
