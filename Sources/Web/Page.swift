import Foundation
import FunctionKit

/// A page of the web app: an HTML function that builds its answer from the API's answers.
protocol Page: HTMLFunction {
    /// What every page shares.
    var settings: WebSettings { get }

    /// The answer to `visit`.
    func respond(to visit: Visit) async throws -> HTTPResponse
}

extension Page {
    func handle(_ request: HTTPRequest, context: FunctionContext) async throws -> HTTPResponse {
        let visit = Visit(request, context: context, settings: settings)
        do {
            return try await respond(to: visit)
        } catch PageRefusal.forgedForm {
            return try visit.problem(
                403, title: "Form expired",
                message: "This form has expired or did not come from this site. Reload the page and try again.")
        } catch let error as APIUnavailable {
            context.logger.error("the API cannot be reached", metadata: ["error": "\(error)"])
            return try visit.problem(
                503, title: "Unavailable", message: "The marketplace is unavailable right now. Try again in a moment.")
        }
    }
}

/// Errors from the API, arranged for a form: each named field's message next to it, the rest above.
struct FormErrors {
    let details: [ErrorDetail]

    /// `fieldErrors.<field>` and `errors` for a template.
    var values: [String: Any] {
        var fields: [String: String] = [:]
        var general: [String] = []
        for detail in details {
            if let field = detail.field, fields[field] == nil {
                fields[field] = detail.message
            } else {
                general.append(detail.message)
            }
        }
        return ["fieldErrors": fields, "errors": general, "hasGeneralErrors": !general.isEmpty]
    }
}

extension String {
    /// A local path to return to after signing in: anything else (another site, `//host`) is `/`.
    var safeReturnPath: String {
        hasPrefix("/") && !hasPrefix("//") && !hasPrefix("/\\") ? self : "/"
    }
}
