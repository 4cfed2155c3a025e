import Foundation
import FunctionKit

/// The two account forms: the same fields, posted to a different API route.
enum AccountForm: Sendable {
    case signUp
    case signIn

    var template: String { self == .signUp ? "signup" : "signin" }
    var title: String { self == .signUp ? "Sign up" : "Sign in" }
    var apiPath: String { self == .signUp ? "/api/users/signup" : "/api/users/signin" }
}

/// `web-signup-form` (`GET /signup`) and `web-signin-form` (`GET /signin`).
struct AccountFormPage: Page {
    let settings: WebSettings
    let form: AccountForm

    func respond(to visit: Visit) async throws -> HTTPResponse {
        try visit.page(
            form.template, title: form.title, data: ["next": visit.request.queryStringParameters["next"] ?? "/"])
    }
}

/// `web-signup` (`POST /signup`) and `web-signin` (`POST /signin`): the API creates the account or checks the
/// password, and its session cookie is handed on to the browser, which goes back where it came from.
struct AccountSubmission: Page {
    let settings: WebSettings
    let form: AccountForm

    func respond(to visit: Visit) async throws -> HTTPResponse {
        let posted = try visit.form()
        let next = (posted["next"] ?? "/").safeReturnPath
        let reply = try await visit.api(
            "POST", form.apiPath,
            body: ["email": .string(posted.text("email")), "password": .string(posted["password"] ?? "")])
        guard reply.succeeded else {
            var data = FormErrors(details: reply.errors).values
            data["email"] = posted.text("email")
            data["next"] = next
            return try visit.page(form.template, status: 400, title: form.title, data: data)
        }
        return visit.redirect(to: next, cookies: reply.cookies)
    }
}

/// `web-signout`: `POST /signout` clears the session.
struct Signout: Page {
    let settings: WebSettings

    func respond(to visit: Visit) async throws -> HTTPResponse {
        _ = try visit.form()
        let reply = try await visit.api("POST", "/api/users/signout")
        return visit.redirect(to: "/", cookies: reply.cookies)
    }
}
