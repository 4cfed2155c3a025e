import Contracts
import FunctionKit
import SQLKit

/// `orders-on-ticket-created`: adds a new ticket to the orders service's replica, so it can be ordered.
public struct ReplicateNewTicket: EventFunction {
    /// Creates the function.
    public init() {}

    public func handle(_ payload: TicketCreated, event: CloudEvent, context: FunctionContext) async throws {
        try await context.transaction { transaction in
            // A replica that already has the ticket (the same event from another source, or a redelivery
            // under a new id) keeps what it has: later versions only come through `ticket:updated`.
            try await Self.insert.query(
                payload.id, payload.title, payload.price.cents, payload.userId, payload.version, on: transaction.sql
            ).run()
        }
    }

    private static let insert = SQLTemplate(
        """
        INSERT INTO \(TicketReplica.table) (\(TicketReplica.columns.joined(separator: ", "))) \
        VALUES (?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING
        """)
}
