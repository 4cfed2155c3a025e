import FunctionKit

/// The web app: the marketplace's pages, served as HTML functions that call the HTTP API. It keeps no data
/// of its own; the browser's session is the API's cookie.
public enum WebService {
    /// The service's name.
    public static let name = "web"

    /// The service with its pages.
    public static func definition(settings: WebSettings) -> ServiceDefinition {
        ServiceDefinition(
            name: name,
            migrations: [],
            functions: [
                FunctionDefinition("web-home", http: HomePage(settings: settings)),
                FunctionDefinition("web-signup-form", http: AccountFormPage(settings: settings, form: .signUp)),
                FunctionDefinition("web-signup", http: AccountSubmission(settings: settings, form: .signUp)),
                FunctionDefinition("web-signin-form", http: AccountFormPage(settings: settings, form: .signIn)),
                FunctionDefinition("web-signin", http: AccountSubmission(settings: settings, form: .signIn)),
                FunctionDefinition("web-signout", http: Signout(settings: settings)),
                FunctionDefinition("web-sell-form", http: SellForm(settings: settings)),
                FunctionDefinition("web-sell", http: Sell(settings: settings)),
                FunctionDefinition("web-ticket", http: TicketPage(settings: settings)),
                FunctionDefinition("web-purchase", http: Purchase(settings: settings)),
                FunctionDefinition("web-orders", http: OrdersPage(settings: settings)),
                FunctionDefinition("web-order", http: OrderPage(settings: settings)),
                FunctionDefinition("web-pay", http: Pay(settings: settings)),
                FunctionDefinition("web-cancel-order", http: CancelOrderPage(settings: settings)),
                FunctionDefinition("web-my-tickets", http: MyTicketsPage(settings: settings)),
                FunctionDefinition("web-update-ticket", http: UpdateTicketPage(settings: settings)),
                FunctionDefinition("web-assets", http: AssetsPage()),
                FunctionDefinition("web-not-found", http: MissingPage(settings: settings)),
            ])
    }
}
