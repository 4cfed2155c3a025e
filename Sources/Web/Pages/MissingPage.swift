import FunctionKit

/// `web-not-found`: the page a browser gets for an address no route matches (the manifest's
/// `settings.notFound`; the JSON API keeps its JSON 404), and for `GET /not-found` itself.
struct MissingPage: Page {
    let settings: WebSettings

    func respond(to visit: Visit) async throws -> HTTPResponse {
        try visit.problem(
            404, title: "Page not found",
            message: "There is no page at this address. It may have moved, or the link may be mistyped.")
    }
}
