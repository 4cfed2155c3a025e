import Auth
import FunctionKit
import Tickets

/// The one place where the services are wired into the runtime.
enum Services {
    /// Every compiled service.
    static func all() -> [ServiceDefinition] {
        [AuthService.definition(), TicketsService.definition()]
    }
}
