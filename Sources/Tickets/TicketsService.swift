import FunctionKit

/// The tickets service: the tickets for sale, their owners and their reservations by orders.
public enum TicketsService {
    /// The service's name and database.
    public static let name = "tickets"

    /// The service with its functions.
    public static func definition() -> ServiceDefinition {
        ServiceDefinition(
            name: name,
            migrations: TicketsSchema.migrations,
            functions: [
                FunctionDefinition("tickets-create", http: CreateTicket()),
                FunctionDefinition("tickets-list", http: ListTickets()),
                FunctionDefinition("tickets-show", http: ShowTicket()),
                FunctionDefinition("tickets-update", http: UpdateTicket()),
                FunctionDefinition("tickets-on-order-created", subscription: ReserveTicket()),
                FunctionDefinition("tickets-on-order-cancelled", subscription: ReleaseTicket()),
            ])
    }
}
