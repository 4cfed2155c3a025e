import Foundation
import FunctionKit

/// An HTTP route of the manifest: a method and a path template with `{param}` segments.
public struct Route: Sendable, Hashable, CustomStringConvertible {
    /// One segment of the path.
    public enum Segment: Sendable, Hashable {
        /// A literal segment.
        case literal(String)
        /// A `{name}` parameter.
        case parameter(String)
    }

    /// Why a route could not be parsed.
    public struct ParseError: Error, CustomStringConvertible, Sendable {
        public var description: String
    }

    static let methods: Set<String> = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]

    /// The method, upper-case.
    public var method: String
    /// The path template, e.g. `/api/tickets/{id}`.
    public var path: String
    /// The path's segments.
    public var segments: [Segment]

    /// Parses `METHOD /path/{param}`.
    public init(parsing text: String) throws {
        let parts = text.split(separator: " ", omittingEmptySubsequences: true)
        guard parts.count == 2 else {
            throw ParseError(description: "route '\(text)' must be 'METHOD /path'")
        }
        let method = parts[0].uppercased()
        guard Self.methods.contains(method) else {
            throw ParseError(description: "route '\(text)' has unknown method '\(parts[0])'")
        }
        let path = String(parts[1])
        guard path.hasPrefix("/") else {
            throw ParseError(description: "route '\(text)': path must start with '/'")
        }
        var segments: [Segment] = []
        var names: Set<String> = []
        for piece in path.split(separator: "/", omittingEmptySubsequences: true) {
            if piece.hasPrefix("{") && piece.hasSuffix("}") {
                let name = String(piece.dropFirst().dropLast())
                guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }),
                    names.insert(name).inserted
                else {
                    throw ParseError(description: "route '\(text)' has a bad or repeated parameter '\(piece)'")
                }
                segments.append(.parameter(name))
            } else if piece.contains("{") || piece.contains("}") {
                throw ParseError(description: "route '\(text)': a parameter must be a whole segment, like {id}")
            } else {
                segments.append(.literal(String(piece)))
            }
        }
        self.method = method
        self.path = path
        self.segments = segments
    }

    /// `METHOD /path`, as API Gateway writes a route key.
    public var description: String { "\(method) \(path)" }

    /// The route key.
    public var routeKey: String { description }

    /// The route with parameter names erased, so `/a/{id}` and `/a/{ticketId}` compare equal.
    public var shape: String {
        method + " /" + segments.map { if case .literal(let text) = $0 { text } else { "{}" } }.joined(separator: "/")
    }

    /// Whether the template has parameters (`{id}`).
    public var hasParameters: Bool {
        segments.contains { if case .parameter = $0 { true } else { false } }
    }

    /// The parameter values when `path` (no query string) matches this route's template, else `nil`.
    public func match(path: String) -> [String: String]? {
        match(pieces: Self.pieces(of: path))
    }

    /// `path`'s segments between `/`s, empty ones left out. Found in one pass over the UTF-8 bytes: `/` is one
    /// byte and never part of another character, and splitting the `String` itself would break it into
    /// characters. (Every request's path is split here; the generic `split` cost several times this loop.)
    static func pieces(of path: String) -> [Substring] {
        let bytes = path.utf8
        var pieces: [Substring] = []
        var start = bytes.startIndex
        var index = start
        while index != bytes.endIndex {
            if bytes[index] == UInt8(ascii: "/") {
                if start != index { pieces.append(Substring(bytes[start..<index])) }
                start = bytes.index(after: index)
            }
            index = bytes.index(after: index)
        }
        if start != bytes.endIndex { pieces.append(Substring(bytes[start..<bytes.endIndex])) }
        return pieces
    }

    /// The parameter values when a path split into `pieces` at `/` matches this route's template.
    func match(pieces: [Substring]) -> [String: String]? {
        guard pieces.count == segments.count else { return nil }
        var parameters: [String: String] = [:]
        for (piece, segment) in zip(pieces, segments) {
            switch segment {
            case .literal(let text):
                guard piece == text else { return nil }
            case .parameter(let name):
                parameters[name] = piece.percentDecoded ?? String(piece)
            }
        }
        return parameters
    }

    /// The path with `parameters` filled in (missing ones stay as `{name}`).
    public func path(filling parameters: [String: String]) -> String {
        "/"
            + segments.map { segment in
                switch segment {
                case .literal(let text): text
                case .parameter(let name):
                    parameters[name].map { $0.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? $0 }
                        ?? "{\(name)}"
                }
            }.joined(separator: "/")
    }
}
