import Foundation
import FunctionKit

/// One check of a value against a ``SchemaNode``: the violations found, and where in the value and in the
/// schema the check is. The paths are kept as pieces and joined only for a violation, so a valid value costs
/// no string building.
struct SchemaRun {
    /// A step into the value: a member's name (escaped only when a path is written) or an item's index.
    enum Step {
        case member(String)
        case item(Int)
    }

    let validator: SchemaValidator
    /// Whether violations are written down; a probe (`anyOf`, `oneOf`, `not`) only needs to know if any.
    let recording: Bool
    var depth: Int
    private(set) var violations: [SchemaViolation] = []
    private(set) var failed = false
    private var instanceSteps: [Step] = []
    private var schemaSteps: [String] = []

    init(validator: SchemaValidator, recording: Bool, depth: Int) {
        self.validator = validator
        self.recording = recording
        self.depth = depth
    }

    private var instancePath: String {
        var path = ""
        for step in instanceSteps {
            switch step {
            case .member(let name): path += "/" + JSONPointer.escape(name)
            case .item(let index): path += "/\(index)"
            }
        }
        return path
    }

    private var schemaPath: String { schemaSteps.joined() }

    private mutating func fail(_ keyword: String, _ message: @autoclosure () -> String) {
        failed = true
        guard recording else { return }
        violations.append(
            SchemaViolation(instancePath: instancePath, schemaPath: schemaPath + keyword, message: message()))
    }

    /// Whether `instance` is valid against `node`, without recording anything.
    private func passes(_ instance: JSONValue, _ node: SchemaNode) throws -> Bool {
        var probe = SchemaRun(validator: validator, recording: false, depth: depth)
        try probe.check(instance, node)
        return !probe.failed
    }

    private mutating func check(_ instance: JSONValue, _ node: SchemaNode, schemaStep: String) throws {
        schemaSteps.append(schemaStep)
        defer { schemaSteps.removeLast() }
        try check(instance, node)
    }

    private mutating func check(_ instance: JSONValue, _ node: SchemaNode, step: Step, schemaStep: String) throws {
        instanceSteps.append(step)
        defer { instanceSteps.removeLast() }
        try check(instance, node, schemaStep: schemaStep)
    }

    mutating func check(_ instance: JSONValue, _ node: SchemaNode) throws {
        depth += 1
        defer { depth -= 1 }
        guard depth < 64 else { throw SchemaValidator.SchemaError(description: "$ref cycle at \(schemaPath)") }
        switch node.form {
        case .anything: return
        case .nothing: return fail("", "no value is allowed here")
        case .invalid:
            throw SchemaValidator.SchemaError(description: "schema at \(schemaPath) is not an object or boolean")
        case .keywords: break
        }
        if let reference = node.reference {
            try check(instance, try reference.node(in: validator), schemaStep: "/$ref")
        }
        if let types = node.types { checkType(instance, types) }
        if let allowed = node.enumeration, !allowed.contains(instance) {
            fail("/enum", "must be one of \(allowed.map(Self.describe).joined(separator: ", "))")
        }
        if let constant = node.constant, constant != instance {
            fail("/const", "must be \(Self.describe(constant))")
        }
        switch instance {
        case .object(let members): try checkObject(members, node)
        case .array(let items): try checkArray(items, node)
        case .string(let text): try checkString(text, node)
        case .number(let value): checkNumber(value, node)
        default: break
        }
        try checkCombinators(instance, node)
    }

    private mutating func checkType(_ instance: JSONValue, _ types: [String]) {
        let matches = types.contains { type in
            switch (type, instance) {
            case ("null", .null), ("boolean", .bool), ("number", .number), ("string", .string), ("array", .array),
                ("object", .object):
                true
            case ("integer", .number(let value)): Self.isInteger(value)
            default: false
            }
        }
        if !matches { fail("/type", "must be \(types.joined(separator: " or ")), not \(instance.typeName)") }
    }

    private mutating func checkObject(_ members: [String: JSONValue], _ node: SchemaNode) throws {
        for name in node.required where members[name] == nil {
            fail("/required", "required property '\(name)' is missing")
        }
        // Members in name order, so that violations come in the same order on every run.
        let names = members.count > 1 ? members.keys.sorted() : Array(members.keys)
        for name in names {
            guard let value = members[name] else { continue }
            if let property = node.properties[name] {
                try check(value, property.node, step: .member(name), schemaStep: property.path)
                continue
            }
            switch node.additional {
            case .unchecked: break
            case .forbidden:
                instanceSteps.append(.member(name))
                fail("/additionalProperties", "property '\(name)' is not allowed")
                instanceSteps.removeLast()
            case .schema(let additional):
                try check(value, additional, step: .member(name), schemaStep: "/additionalProperties")
            }
        }
        if let minimum = node.minProperties, minimum.exceeds(members.count) {
            fail("/minProperties", "must have at least \(minimum.value) properties")
        }
        if let maximum = node.maxProperties, maximum.isExceeded(by: members.count) {
            fail("/maxProperties", "must have at most \(maximum.value) properties")
        }
    }

    private mutating func checkArray(_ items: [JSONValue], _ node: SchemaNode) throws {
        if let itemSchema = node.items {
            for (index, item) in items.enumerated() {
                try check(item, itemSchema, step: .item(index), schemaStep: "/items")
            }
        }
        if let minimum = node.minItems, minimum.exceeds(items.count) {
            fail("/minItems", "must have at least \(minimum.value) items")
        }
        if let maximum = node.maxItems, maximum.isExceeded(by: items.count) {
            fail("/maxItems", "must have at most \(maximum.value) items")
        }
    }

    private mutating func checkString(_ text: String, _ node: SchemaNode) throws {
        if node.minLength != nil || node.maxLength != nil {
            let length = text.unicodeScalars.count
            if let minimum = node.minLength, minimum.exceeds(length) {
                fail("/minLength", "must be at least \(minimum.value) characters long")
            }
            if let maximum = node.maxLength, maximum.isExceeded(by: length) {
                fail("/maxLength", "must be at most \(maximum.value) characters long")
            }
        }
        if let pattern = node.pattern {
            guard let expression = pattern.expression else {
                throw SchemaValidator.SchemaError(
                    description: "pattern at \(schemaPath) is not a valid regular expression")
            }
            let range = NSRange(text.startIndex..., in: text)
            if expression.firstMatch(in: text, range: range) == nil {
                fail("/pattern", "must match \(pattern.text)")
            }
        }
    }

    private mutating func checkNumber(_ value: Decimal, _ node: SchemaNode) {
        if let bound = node.minimum, value < bound { fail("/minimum", "must be at least \(bound)") }
        if let bound = node.maximum, value > bound { fail("/maximum", "must be at most \(bound)") }
        if let bound = node.exclusiveMinimum, value <= bound {
            fail("/exclusiveMinimum", "must be greater than \(bound)")
        }
        if let bound = node.exclusiveMaximum, value >= bound { fail("/exclusiveMaximum", "must be less than \(bound)") }
        if let divisor = node.multipleOf, divisor > 0, !Self.isInteger(value / divisor) {
            fail("/multipleOf", "must be a multiple of \(divisor)")
        }
    }

    private mutating func checkCombinators(_ instance: JSONValue, _ node: SchemaNode) throws {
        for part in node.allOf { try check(instance, part.node, schemaStep: part.path) }
        if let any = node.anyOf {
            let passing = try any.filter { try passes(instance, $0) }
            if passing.isEmpty { fail("/anyOf", "must match at least one of \(any.count) schemas") }
        }
        if let one = node.oneOf {
            let passing = try one.filter { try passes(instance, $0) }.count
            if passing != 1 { fail("/oneOf", "must match exactly one of \(one.count) schemas (matches \(passing))") }
        }
        if let negated = node.not, try passes(instance, negated) {
            fail("/not", "must not match the schema")
        }
    }

    static func isInteger(_ value: Decimal) -> Bool {
        // A number written without a fraction or exponent is held with exponent 0: no rounding needed.
        if value.exponent >= 0 { return true }
        var copy = value
        var rounded = Decimal()
        NSDecimalRound(&rounded, &copy, 0, .plain)
        return rounded == value
    }

    static func describe(_ value: JSONValue) -> String {
        (try? JSONCoding.string(value)) ?? "\(value)"
    }
}
