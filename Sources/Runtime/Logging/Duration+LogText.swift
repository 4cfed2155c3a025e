extension Duration {
    /// Milliseconds to a tenth, as access and delivery lines show a duration (`12.3ms`), written out by hand:
    /// `String(format:)` costs more than the rest of the line.
    var logText: String {
        let tenths = components.seconds * 10_000 + components.attoseconds / 100_000_000_000_000
        return "\(tenths / 10).\(tenths % 10)ms"
    }
}
