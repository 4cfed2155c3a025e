import Contracts
import FunctionKit
import SQLKit

/// `orders-on-ticket-updated`: applies a ticket's edit, reservation or release to the replica, strictly in
/// version order.
///
/// Only `version == stored + 1` is applied. A version at or below the stored one was applied already and
/// changes nothing. A gap, or a ticket the replica does not have yet, means an earlier event is still on its
/// way: the delivery is deferred with ``FunctionError/retryLater(_:)`` and retried, never dropped.
public struct ReplicateTicketChange: EventFunction {
    /// Creates the function.
    public init() {}

    public func handle(_ payload: TicketUpdated, event: CloudEvent, context: FunctionContext) async throws {
        try await context.transaction { transaction in
            let applied = try await transaction.sql.update(TicketReplica.table)
                .set("title", to: payload.title)
                .set("price_cents", to: payload.price.cents)
                .set("version", to: payload.version)
                .where("id", .equal, payload.id)
                .where("version", .equal, payload.version - 1)
                .returning("id")
                .all()
            guard applied.isEmpty else { return }
            guard let stored = try await TicketReplica.find(id: payload.id, in: transaction.sql) else {
                throw FunctionError.retryLater("ticket \(payload.id) is not replicated yet (ticket:created pending)")
            }
            guard payload.version > stored.version else {
                context.logger.debug(
                    "ticket version already applied",
                    metadata: [
                        "ticket": "\(payload.id)", "version": "\(payload.version)", "stored": "\(stored.version)",
                    ])
                return
            }
            throw FunctionError.retryLater(
                "ticket \(payload.id) version \(payload.version) arrived before version \(stored.version + 1)")
        }
    }
}
