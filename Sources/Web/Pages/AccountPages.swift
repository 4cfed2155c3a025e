import Foundation
import FunctionKit

/// `web-signup-form`: `GET /signup`.
struct SignupForm: Page {
    let settings: WebSettings

    func respond(to visit: Visit) async throws -> HTTPResponse {
        try visit.page("signup", title: "Sign up", data: ["next": visit.request.queryStringParameters["next"] ?? "/"])
    }
}

/// `web-signup`: `POST /signup` creates the account through the API and signs the browser in.
struct Signup: Page {
    let settings: WebSettings

    func respond(to visit: Visit) async throws -> HTTPResponse {
        let form = try visit.form()
        let next = (form["next"] ?? "/").safeReturnPath
        let reply = try await visit.api(
            "POST", "/api/users/signup",
            body: ["email": .string(form.text("email")), "password": .string(form["password"] ?? "")])
        guard reply.succeeded else {
            return try visit.page(
                "signup", status: 400, title: "Sign up",
                data: FormErrors(details: reply.errors).values.merging(["email": form.text("email"), "next": next]) {
                    $1
                })
        }
        return visit.redirect(to: next, cookies: reply.cookies)
    }
}

/// `web-signin-form`: `GET /signin`.
struct SigninForm: Page {
    let settings: WebSettings

    func respond(to visit: Visit) async throws -> HTTPResponse {
        try visit.page("signin", title: "Sign in", data: ["next": visit.request.queryStringParameters["next"] ?? "/"])
    }
}

/// `web-signin`: `POST /signin`.
struct Signin: Page {
    let settings: WebSettings

    func respond(to visit: Visit) async throws -> HTTPResponse {
        let form = try visit.form()
        let next = (form["next"] ?? "/").safeReturnPath
        let reply = try await visit.api(
            "POST", "/api/users/signin",
            body: ["email": .string(form.text("email")), "password": .string(form["password"] ?? "")])
        guard reply.succeeded else {
            return try visit.page(
                "signin", status: 400, title: "Sign in",
                data: FormErrors(details: reply.errors).values.merging(["email": form.text("email"), "next": next]) {
                    $1
                })
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
