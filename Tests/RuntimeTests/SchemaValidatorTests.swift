import Foundation
import FunctionKit
import Runtime
import Testing

/// The Swift JSON Schema validator, keyword by keyword.
@Suite struct SchemaValidatorTests {
    static func validator(_ schema: String) throws -> SchemaValidator {
        var value = try JSONValue(parsing: Data(schema.utf8))
        if case .object(var members) = value {
            members["$id"] = .string("https://example.test/s.json")
            value = .object(members)
        }
        return try SchemaValidator(schemas: [value])
    }

    static func errors(_ schema: String, _ instance: String) throws -> [String] {
        try validator(schema).validate(
            try JSONValue(parsing: Data(instance.utf8)), against: "https://example.test/s.json"
        )
        .map { "\($0.instancePath) \($0.schemaPath)" }
    }

    @Test(arguments: [
        (#"{"type":"integer"}"#, "1", true), (#"{"type":"integer"}"#, "1.0", true),
        (#"{"type":"integer"}"#, "1.5", false),
        (#"{"type":["string","null"]}"#, "null", true), (#"{"type":"number"}"#, "\"1\"", false),
        (#"{"enum":["a",1]}"#, "1.0", true), (#"{"const":{"a":[1]}}"#, #"{"a":[1]}"#, true),
        (#"{"minLength":2,"maxLength":3}"#, "\"é\"", false), (#"{"minLength":2,"maxLength":3}"#, "\"éé\"", true),
        (#"{"pattern":"^[a-z]+:[a-z-]+$"}"#, "\"ticket:created\"", true), (#"{"pattern":"^a"}"#, "\"ba\"", false),
        (#"{"exclusiveMinimum":0,"maximum":1000000}"#, "0", false),
        (#"{"exclusiveMinimum":0,"maximum":1000000}"#, "1000000", true),
        (#"{"multipleOf":0.01}"#, "19.99", true), (#"{"multipleOf":0.01}"#, "19.999", false),
        (#"{"required":["a"],"properties":{"a":{"type":"string"}}}"#, #"{"a":"x","b":1}"#, true),
        (#"{"properties":{"a":{"type":"string"}},"additionalProperties":false}"#, #"{"b":1}"#, false),
        (#"{"items":{"type":"integer"},"minItems":1}"#, "[]", false),
        (#"{"items":{"type":"integer"}}"#, "[1,\"x\"]", false),
        (#"{"oneOf":[{"type":"null"},{"type":"object"}]}"#, "{}", true),
        (#"{"oneOf":[{},{"type":"object"}]}"#, "{}", false),
        (#"{"anyOf":[{"type":"null"},{"type":"string"}]}"#, "1", false), (#"{"not":{"type":"null"}}"#, "null", false),
        (#"{"maxProperties":0}"#, "{}", true), (#"{"maxProperties":0}"#, #"{"a":1}"#, false),
        (##"{"$ref":"#/$defs/t","$defs":{"t":{"type":"string"}}}"##, "1", false),
        (#"{"format":"email"}"#, "\"nope\"", true),
    ])
    func keywords(schema: String, instance: String, valid: Bool) throws {
        #expect(try Self.errors(schema, instance).isEmpty == valid)
    }

    @Test func violationsPointAtTheInstanceAndTheSchemaKeyword() throws {
        let schema =
            #"{"type":"object","properties":{"ticket":{"type":"object","required":["id"],"properties":{"price":{"type":"number"}}}}}"#
        #expect(
            try Self.errors(schema, #"{"ticket":{"price":"1"}}"#) == [
                "/ticket /properties/ticket/required", "/ticket/price /properties/ticket/properties/price/type",
            ])
    }

    @Test func referencesToOtherSchemasResolveByID() throws {
        let money = try JSONValue(parsing: Data(#"{"$id":"https://example.test/money.json","type":"number"}"#.utf8))
        let order = try JSONValue(
            parsing: Data(
                #"{"$id":"https://example.test/order.json","properties":{"price":{"$ref":"money.json"}}}"#.utf8))
        let validator = try SchemaValidator(schemas: [money, order])
        #expect(
            try validator.validate(.object(["price": .string("x")]), against: "https://example.test/order.json").count
                == 1)
        #expect(throws: SchemaValidator.SchemaError.self) {
            try validator.validate(.null, against: "https://example.test/none.json")
        }
    }

    @Test func referenceCyclesAreRefusedNotRecursedForever() throws {
        let validator = try Self.validator(##"{"$ref":"#"}"##)
        #expect(throws: SchemaValidator.SchemaError.self) {
            try validator.validate(.null, against: "https://example.test/s.json")
        }
    }
}
