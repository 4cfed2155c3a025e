import Foundation
import FunctionKit

/// The orders service: orders placed on tickets, their expiry and payment, and a replica of the tickets
/// (fed by `ticket:created` and `ticket:updated`).
public enum OrdersService {
    /// The service's name and database.
    public static let name = "orders"
    /// How long an order locks its ticket unless paid, by default: 15 minutes.
    public static let defaultExpirationWindow: TimeInterval = 900

    /// The service with its functions; orders expire `expirationWindow` seconds after they are placed.
    public static func definition(expirationWindow: TimeInterval = defaultExpirationWindow) -> ServiceDefinition {
        ServiceDefinition(
            name: name,
            migrations: OrdersSchema.migrations,
            functions: [
                FunctionDefinition("orders-create", http: CreateOrder(expirationWindow: expirationWindow)),
                FunctionDefinition("orders-list", http: ListOrders()),
                FunctionDefinition("orders-show", http: ShowOrder()),
                FunctionDefinition("orders-cancel", http: CancelOrder()),
                FunctionDefinition("orders-on-ticket-created", subscription: ReplicateNewTicket()),
                FunctionDefinition("orders-on-ticket-updated", subscription: ReplicateTicketChange()),
                FunctionDefinition("orders-on-expiration-complete", subscription: ExpireOrder()),
                FunctionDefinition("orders-on-payment-created", subscription: CompleteOrder()),
            ])
    }
}
