import Yams

/// Builds the YAML documents `ticketing deploy` prints, key order kept as written.
enum YAMLDocument {
    /// A mapping with its keys in the order given.
    static func map(_ pairs: KeyValuePairs<String, Node>) -> Node {
        .mapping(Node.Mapping(pairs.map { (Node($0.key), $0.value) }))
    }

    /// A mapping of strings, keys in the order given.
    static func strings(_ pairs: [(String, String)]) -> Node {
        .mapping(Node.Mapping(pairs.map { (Node($0.0), text($0.1)) }))
    }

    /// A sequence.
    static func list(_ items: [Node]) -> Node {
        .sequence(Node.Sequence(items))
    }

    /// A string, quoted when YAML would read it plain as something else (a number, a date, a boolean, null) or
    /// it holds characters with a meaning of their own.
    static func text(_ value: String) -> Node {
        let plain =
            !value.isEmpty
            && value.unicodeScalars.allSatisfy {
                ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0)
                    || "-_./".unicodeScalars.contains($0)
            }
            && Double(value) == nil && Int(value) == nil
            // A leading digit may read as a date or a time (`2010-09-09`, `1:30`) in YAML 1.1.
            && !("0"..."9").contains(value.unicodeScalars[value.unicodeScalars.startIndex])
            && !["true", "false", "yes", "no", "on", "off", "null", "~"].contains(value.lowercased())
        return .scalar(Node.Scalar(value, .implicit, plain ? .plain : .doubleQuoted))
    }

    /// A boolean.
    static func boolean(_ value: Bool) -> Node {
        .scalar(Node.Scalar(value ? "true" : "false"))
    }

    /// An integer.
    static func number(_ value: Int) -> Node {
        .scalar(Node.Scalar(String(value)))
    }

    /// The documents as one YAML stream, each after `---`.
    static func stream(_ documents: [Node]) throws -> String {
        try documents.map { "---\n" + (try Yams.serialize(node: $0, sortKeys: false)) }.joined()
    }
}
