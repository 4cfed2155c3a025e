import Foundation

/// Writes an `Encodable` value as compact JSON with sorted keys — byte for byte what ``JSONCoding/encoder``
/// writes (Foundation's `JSONEncoder` with `.sortedKeys` and `.withoutEscapingSlashes`), at a fraction of the
/// cost: every response body and every published event is encoded once per request.
///
/// It writes strings, booleans, integers, floating-point numbers, nulls, arrays and objects, with Foundation's
/// rules: keys in UTF-8 byte order; `"`, `\` and control characters escaped (`\b \f \n \r \t`, else `\u00xx`);
/// a float as its `description`, a trailing `.0` dropped. Whatever Foundation treats specially or refuses
/// (dates, data, URLs, decimals, NaN and infinities, a value that encodes nothing, super-encoders, a string
/// holding NUL) makes ``encode(_:)`` return `nil`, and callers encode that value with Foundation instead.
enum CompactJSONEncoder {
    /// The value's JSON, or `nil` when only Foundation's encoder may write it.
    static func encode(_ value: some Encodable) -> [UInt8]? {
        let root = Slot()
        do {
            try Slot.store(value, in: root, path: [])
            var output: [UInt8] = []
            output.reserveCapacity(256)
            try root.write(to: &output)
            return output
        } catch {
            return nil
        }
    }

    /// Something Foundation's encoder handles in its own way.
    struct Unsupported: Error {}

    /// `value` as JSON text to read back (numbers as their decimal text), or `nil` when a string holds NUL.
    /// Not promised to be Foundation's bytes: for decoding, where only the values count.
    static func readableText(of value: JSONValue) -> [UInt8]? {
        var output: [UInt8] = []
        output.reserveCapacity(256)
        do {
            try write(value, to: &output)
            return output
        } catch {
            return nil
        }
    }

    private static func write(_ value: JSONValue, to output: inout [UInt8]) throws {
        switch value {
        case .null: output.append(contentsOf: "null".utf8)
        case .bool(let flag): output.append(contentsOf: (flag ? "true" : "false").utf8)
        case .number(let number): output.append(contentsOf: number.description.utf8)
        case .string(let text): try Node.quote(text, to: &output)
        case .array(let items):
            output.append(UInt8(ascii: "["))
            for (index, item) in items.enumerated() {
                if index > 0 { output.append(UInt8(ascii: ",")) }
                try write(item, to: &output)
            }
            output.append(UInt8(ascii: "]"))
        case .object(let members):
            output.append(UInt8(ascii: "{"))
            for (index, member) in members.enumerated() {
                if index > 0 { output.append(UInt8(ascii: ",")) }
                try Node.quote(member.key, to: &output)
                output.append(UInt8(ascii: ":"))
                try write(member.value, to: &output)
            }
            output.append(UInt8(ascii: "}"))
        }
    }
}

/// A value written by the encoder: a scalar kept as it came, or a container other containers write into.
private enum Node {
    case null
    case bool(Bool)
    case string(String)
    case signed(Int64)
    case unsigned(UInt64)
    /// A float's text, already as Foundation writes it.
    case float(String)
    case container(Slot)

    static func number<F: BinaryFloatingPoint & LosslessStringConvertible>(_ value: F) throws -> Node {
        guard value.isFinite else { throw CompactJSONEncoder.Unsupported() }
        var text = value.description
        if text.hasSuffix(".0") { text.removeLast(2) }
        return .float(text)
    }

    func write(to output: inout [UInt8]) throws {
        switch self {
        case .null: output.append(contentsOf: "null".utf8)
        case .bool(let value): output.append(contentsOf: (value ? "true" : "false").utf8)
        case .string(let text): try Node.quote(text, to: &output)
        case .signed(let value): output.append(contentsOf: String(value).utf8)
        case .unsigned(let value): output.append(contentsOf: String(value).utf8)
        case .float(let text): output.append(contentsOf: text.utf8)
        case .container(let slot): try slot.write(to: &output)
        }
    }

    /// `string` as a JSON string literal, escaped as Foundation escapes it.
    static func quote(_ string: String, to output: inout [UInt8]) throws {
        // Foundation's writer has stopped at NUL in some versions: leave such strings to it.
        guard JSONText.appendQuoted(string, to: &output) else { throw CompactJSONEncoder.Unsupported() }
    }
}

/// JSON text written byte by byte, for the writers that do not go through an encoder (log lines).
public enum JSONText {
    /// Appends `string` as a JSON string literal, escaped as Foundation escapes it (`"`, `\\`, and control
    /// characters; `/` and non-ASCII kept as they are). Returns `false` when the string held a NUL, which is
    /// written as `\u0000`.
    @discardableResult
    public static func appendQuoted(_ string: String, to output: inout [UInt8]) -> Bool {
        var text = string
        var clean = true
        text.withUTF8 { bytes in
            output.append(UInt8(ascii: "\""))
            var run = 0
            for (index, byte) in bytes.enumerated() where byte < 0x20 || byte == 0x22 || byte == 0x5C {
                output.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[run..<index]))
                run = index + 1
                switch byte {
                case 0x22: output.append(contentsOf: #"\""#.utf8)
                case 0x5C: output.append(contentsOf: #"\\"#.utf8)
                case 0x08: output.append(contentsOf: #"\b"#.utf8)
                case 0x0C: output.append(contentsOf: #"\f"#.utf8)
                case 0x0A: output.append(contentsOf: #"\n"#.utf8)
                case 0x0D: output.append(contentsOf: #"\r"#.utf8)
                case 0x09: output.append(contentsOf: #"\t"#.utf8)
                default:
                    if byte == 0 { clean = false }
                    let digits: StaticString = "0123456789abcdef"
                    output.append(contentsOf: #"\u00"#.utf8)
                    output.append(digits.utf8Start[Int(byte >> 4)])
                    output.append(digits.utf8Start[Int(byte & 0x0F)])
                }
            }
            output.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[run...]))
            output.append(UInt8(ascii: "\""))
        }
        return clean
    }
}

/// An object or array being built, shared by the containers that write into it.
private final class Slot {
    enum Value {
        case empty
        case single(Node)
        /// Members in the order they were written; a key written twice keeps its last value.
        case object([(key: String, node: Node)])
        case array([Node])
    }

    var value = Value.empty

    /// Encodes `value` into `slot`: strings directly, anything else through its `encode(to:)`.
    static func store<T: Encodable>(_ value: T, in slot: Slot, path: [any CodingKey]) throws {
        if T.self == Date.self || T.self == Data.self || T.self == URL.self || T.self == Decimal.self {
            throw CompactJSONEncoder.Unsupported()
        }
        try value.encode(to: SlotEncoder(slot: slot, codingPath: path))
        if case .empty = slot.value { throw CompactJSONEncoder.Unsupported() }
    }

    /// The node for `value` inside a container: a scalar's own node when it is one, else a slot of its own.
    static func node<T: Encodable>(_ value: T, path: [any CodingKey]) throws -> Node {
        if let text = value as? String { return .string(text) }
        let slot = Slot()
        try store(value, in: slot, path: path)
        if case .single(let node) = slot.value { return node }
        return .container(slot)
    }

    func append(_ node: Node, forKey key: String) {
        guard case .object(var members) = value else { return }
        value = .empty
        members.append((key, node))
        value = .object(members)
    }

    func append(_ node: Node) {
        guard case .array(var items) = value else { return }
        value = .empty
        items.append(node)
        value = .array(items)
    }

    /// Appends the value's JSON; throws if some part of it was never given a value.
    func write(to output: inout [UInt8]) throws {
        switch value {
        case .empty:
            throw CompactJSONEncoder.Unsupported()
        case .single(let node):
            try node.write(to: &output)
        case .array(let items):
            output.append(UInt8(ascii: "["))
            for (index, item) in items.enumerated() {
                if index > 0 { output.append(UInt8(ascii: ",")) }
                try item.write(to: &output)
            }
            output.append(UInt8(ascii: "]"))
        case .object(let members):
            output.append(UInt8(ascii: "{"))
            // Keys in UTF-8 byte order, as Foundation sorts them; of a key written twice, the last value.
            let order = members.indices.sorted { left, right in
                let (a, b) = (members[left].key, members[right].key)
                return a == b ? left < right : a.utf8.lexicographicallyPrecedes(b.utf8)
            }
            var first = true
            for (position, index) in order.enumerated() {
                if position + 1 < order.count, members[order[position + 1]].key == members[index].key { continue }
                if !first { output.append(UInt8(ascii: ",")) }
                first = false
                try Node.quote(members[index].key, to: &output)
                output.append(UInt8(ascii: ":"))
                try members[index].node.write(to: &output)
            }
            output.append(UInt8(ascii: "}"))
        }
    }
}

private struct SlotEncoder: Encoder {
    let slot: Slot
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        if case .object = slot.value {} else { slot.value = .object([]) }
        return KeyedEncodingContainer(KeyedSlot<Key>(slot: slot, codingPath: codingPath))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        if case .array = slot.value {} else { slot.value = .array([]) }
        return UnkeyedSlot(slot: slot, codingPath: codingPath)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer {
        SingleSlot(slot: slot, codingPath: codingPath)
    }
}

private struct KeyedSlot<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let slot: Slot
    let codingPath: [any CodingKey]

    mutating func encodeNil(forKey key: Key) throws { slot.append(.null, forKey: key.stringValue) }
    mutating func encode(_ value: Bool, forKey key: Key) throws { slot.append(.bool(value), forKey: key.stringValue) }
    mutating func encode(_ value: String, forKey key: Key) throws {
        slot.append(.string(value), forKey: key.stringValue)
    }
    mutating func encode(_ value: Double, forKey key: Key) throws {
        slot.append(try .number(value), forKey: key.stringValue)
    }
    mutating func encode(_ value: Float, forKey key: Key) throws {
        slot.append(try .number(value), forKey: key.stringValue)
    }
    mutating func encode(_ value: Int, forKey key: Key) throws {
        slot.append(.signed(Int64(value)), forKey: key.stringValue)
    }
    mutating func encode(_ value: Int8, forKey key: Key) throws {
        slot.append(.signed(Int64(value)), forKey: key.stringValue)
    }
    mutating func encode(_ value: Int16, forKey key: Key) throws {
        slot.append(.signed(Int64(value)), forKey: key.stringValue)
    }
    mutating func encode(_ value: Int32, forKey key: Key) throws {
        slot.append(.signed(Int64(value)), forKey: key.stringValue)
    }
    mutating func encode(_ value: Int64, forKey key: Key) throws {
        slot.append(.signed(value), forKey: key.stringValue)
    }
    mutating func encode(_ value: UInt, forKey key: Key) throws {
        slot.append(.unsigned(UInt64(value)), forKey: key.stringValue)
    }
    mutating func encode(_ value: UInt8, forKey key: Key) throws {
        slot.append(.unsigned(UInt64(value)), forKey: key.stringValue)
    }
    mutating func encode(_ value: UInt16, forKey key: Key) throws {
        slot.append(.unsigned(UInt64(value)), forKey: key.stringValue)
    }
    mutating func encode(_ value: UInt32, forKey key: Key) throws {
        slot.append(.unsigned(UInt64(value)), forKey: key.stringValue)
    }
    mutating func encode(_ value: UInt64, forKey key: Key) throws {
        slot.append(.unsigned(value), forKey: key.stringValue)
    }
    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        slot.append(try Slot.node(value, path: codingPath + [key]), forKey: key.stringValue)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key)
        -> KeyedEncodingContainer<NestedKey>
    {
        let child = Slot()
        slot.append(.container(child), forKey: key.stringValue)
        return SlotEncoder(slot: child, codingPath: codingPath + [key]).container(keyedBy: keyType)
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        let child = Slot()
        slot.append(.container(child), forKey: key.stringValue)
        return SlotEncoder(slot: child, codingPath: codingPath + [key]).unkeyedContainer()
    }

    // Never written into the value, so the encoding is refused and handed to Foundation.
    mutating func superEncoder() -> any Encoder {
        let child = Slot()
        slot.append(.container(child), forKey: "super")
        return RefusingEncoder(codingPath: codingPath)
    }
    mutating func superEncoder(forKey key: Key) -> any Encoder { superEncoder() }
}

private struct UnkeyedSlot: UnkeyedEncodingContainer {
    let slot: Slot
    let codingPath: [any CodingKey]

    var count: Int {
        guard case .array(let items) = slot.value else { return 0 }
        return items.count
    }

    mutating func encodeNil() throws { slot.append(.null) }
    mutating func encode(_ value: Bool) throws { slot.append(.bool(value)) }
    mutating func encode(_ value: String) throws { slot.append(.string(value)) }
    mutating func encode(_ value: Double) throws { slot.append(try .number(value)) }
    mutating func encode(_ value: Float) throws { slot.append(try .number(value)) }
    mutating func encode(_ value: Int) throws { slot.append(.signed(Int64(value))) }
    mutating func encode(_ value: Int64) throws { slot.append(.signed(value)) }
    mutating func encode(_ value: UInt64) throws { slot.append(.unsigned(value)) }
    mutating func encode<T: Encodable>(_ value: T) throws { slot.append(try Slot.node(value, path: codingPath)) }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type)
        -> KeyedEncodingContainer<NestedKey>
    {
        let child = Slot()
        slot.append(.container(child))
        return SlotEncoder(slot: child, codingPath: codingPath).container(keyedBy: keyType)
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        let child = Slot()
        slot.append(.container(child))
        return SlotEncoder(slot: child, codingPath: codingPath).unkeyedContainer()
    }

    // Never written into the value, so the encoding is refused and handed to Foundation.
    mutating func superEncoder() -> any Encoder {
        slot.append(.container(Slot()))
        return RefusingEncoder(codingPath: codingPath)
    }
}

private struct SingleSlot: SingleValueEncodingContainer {
    let slot: Slot
    let codingPath: [any CodingKey]

    mutating func encodeNil() throws { slot.value = .single(.null) }
    mutating func encode(_ value: Bool) throws { slot.value = .single(.bool(value)) }
    mutating func encode(_ value: String) throws { slot.value = .single(.string(value)) }
    mutating func encode(_ value: Double) throws { slot.value = .single(try .number(value)) }
    mutating func encode(_ value: Float) throws { slot.value = .single(try .number(value)) }
    mutating func encode(_ value: Int) throws { slot.value = .single(.signed(Int64(value))) }
    mutating func encode(_ value: Int8) throws { slot.value = .single(.signed(Int64(value))) }
    mutating func encode(_ value: Int16) throws { slot.value = .single(.signed(Int64(value))) }
    mutating func encode(_ value: Int32) throws { slot.value = .single(.signed(Int64(value))) }
    mutating func encode(_ value: Int64) throws { slot.value = .single(.signed(value)) }
    mutating func encode(_ value: UInt) throws { slot.value = .single(.unsigned(UInt64(value))) }
    mutating func encode(_ value: UInt8) throws { slot.value = .single(.unsigned(UInt64(value))) }
    mutating func encode(_ value: UInt16) throws { slot.value = .single(.unsigned(UInt64(value))) }
    mutating func encode(_ value: UInt32) throws { slot.value = .single(.unsigned(UInt64(value))) }
    mutating func encode(_ value: UInt64) throws { slot.value = .single(.unsigned(value)) }
    mutating func encode<T: Encodable>(_ value: T) throws {
        slot.value = .single(try Slot.node(value, path: codingPath))
    }
}

/// The encoder a super-encoder gets: its containers write nowhere, and the slot it stands for stays empty.
private struct RefusingEncoder: Encoder {
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        SlotEncoder(slot: Slot(), codingPath: codingPath).container(keyedBy: type)
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        SlotEncoder(slot: Slot(), codingPath: codingPath).unkeyedContainer()
    }

    func singleValueContainer() -> any SingleValueEncodingContainer {
        SingleSlot(slot: Slot(), codingPath: codingPath)
    }
}
