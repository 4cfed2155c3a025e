import Foundation

extension Manifest {
    /// `settings.notFound`: what a browser asking for a page gets for a path no route matches.
    ///
    /// An API client keeps the SPEC's JSON 404, but a person who follows a stale link (or whose browser
    /// asks for `/favicon.ico`) should see the site's own page. A `GET` that accepts `text/html`, outside
    /// the `except` prefixes (the JSON API), is answered by `function`, an HTML function declared on a
    /// `GET` route without parameters (the route a container serving it answers on).
    ///
    /// ```yaml
    /// settings:
    ///   notFound:
    ///     function: web-not-found
    ///     except: [/api/]
    /// ```
    public struct NotFoundPage: Codable, Sendable, Equatable {
        /// The HTML function that answers.
        public var function: String
        /// Path prefixes that keep the JSON 404 whatever the client accepts.
        public var except: [String]?

        /// Creates the setting.
        public init(function: String, except: [String]? = nil) {
            self.function = function
            self.except = except
        }

        /// Whether a request for `path` that no route matches gets the page: a `GET` whose `Accept` names
        /// `text/html`, outside every `except` prefix.
        public func answers(method: String, path: String, accept: String?) -> Bool {
            guard method.uppercased() == "GET", let accept, Self.acceptsHTML(accept) else { return false }
            return !(except ?? []).contains { prefix in
                let bare = prefix.hasSuffix("/") ? String(prefix.dropLast()) : prefix
                return path == bare || path.hasPrefix(bare + "/")
            }
        }

        /// Whether an `Accept` header names `text/html` (with a quality above zero), as browsers do when
        /// they navigate.
        static func acceptsHTML(_ accept: String) -> Bool {
            accept.split(separator: ",").contains { range in
                let parts = range.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
                guard parts.first == "text/html" else { return false }
                let quality = parts.dropFirst().first { $0.hasPrefix("q=") }.flatMap { Double($0.dropFirst(2)) }
                return (quality ?? 1) > 0
            }
        }

        /// What is wrong with the setting on its own (the function is checked against the handlers later).
        var problems: [String] {
            var problems: [String] = []
            if function.isEmpty { problems.append("settings: notFound needs a function") }
            for prefix in except ?? [] where !prefix.hasPrefix("/") {
                problems.append("settings: notFound.except prefix '\(prefix)' must start with /")
            }
            return problems
        }
    }
}
