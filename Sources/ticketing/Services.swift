import Auth
import Expiration
import Foundation
import FunctionKit
import Orders
import Tickets

/// The one place where the services are wired into the runtime.
enum Services {
    /// Every compiled service; orders expire `expirationWindow` seconds after they are placed (the caller
    /// reads `EXPIRATION_WINDOW_SECONDS`).
    static func all(expirationWindow: TimeInterval = OrdersService.defaultExpirationWindow) -> [ServiceDefinition] {
        [
            AuthService.definition(), TicketsService.definition(),
            OrdersService.definition(expirationWindow: expirationWindow), ExpirationService.definition(),
        ]
    }
}
