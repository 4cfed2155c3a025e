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

    @Test(arguments: [
        (#"{"type":"array","uniqueItems":true}"#, "uniqueItems", "/uniqueItems"),
        (#"{"prefixItems":[{"type":"string"}]}"#, "prefixItems", "/prefixItems"),
        (#"{"if":{"type":"string"},"then":{"minLength":1}}"#, "if", "/if"),
        (#"{"dependentRequired":{"a":["b"]}}"#, "dependentRequired", "/dependentRequired"),
        (#"{"properties":{"tags":{"items":{"contains":{"const":1}}}}}"#, "contains", "/properties/tags/items/contains"),
        (
            #"{"$defs":{"x":{"unevaluatedProperties":false}}}"#, "unevaluatedProperties",
            "/$defs/x/unevaluatedProperties"
        ),
        (#"{"anyOf":[{},{"patternProperties":{"^a":{}}}]}"#, "patternProperties", "/anyOf/1/patternProperties"),
        (#"{"not":{"propertyNames":{"minLength":1}}}"#, "propertyNames", "/not/propertyNames"),
        (#"{"$anchor":"a"}"#, "$anchor", "/$anchor"), (#"{"requried":["a"]}"#, "requried", "/requried"),
    ])
    func keywordsItDoesNotImplementAreRefusedWhenTheSchemaIsLoaded(schema: String, keyword: String, location: String)
        throws
    {
        do {
            _ = try Self.validator(schema)
            Issue.record("\(schema) was accepted")
        } catch let error as SchemaValidator.SchemaError {
            #expect(error.description.contains("'\(keyword)' at \(location) "), "\(error)")
            #expect(error.description.contains("https://example.test/s.json"), "\(error)")
        }
    }

    @Test func annotationsAndTheirValuesAreAllowed() throws {
        let schema = #"""
            {"title":"t","description":"d","$comment":"c","deprecated":true,"readOnly":true,"writeOnly":false,
             "examples":[{"uniqueItems":true}],"default":{"if":1},"enum":[{"if":1}],"const":{"prefixItems":[]},
             "x-status":201,"x-errors":[400],"format":"email","contentMediaType":"application/json",
             "properties":{"uniqueItems":{"type":"string"}},"required":["if"]}
            """#
        #expect(try Self.errors(schema, #"{"if":1}"#).count == 1)
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

    @Test func aPatternIsCompiledOnceAndServesEveryCheckAndEveryThread() async throws {
        let validator = try Self.validator(#"{"type":"string","pattern":"^[a-z]+:[a-z-]+$"}"#)
        let id = "https://example.test/s.json"
        let results = await withTaskGroup(of: Bool.self) { group in
            for index in 0..<200 {
                group.addTask {
                    let text = index.isMultiple(of: 2) ? "ticket:created" : "Ticket Created"
                    return ((try? validator.validate(.string(text), against: id)) ?? []).isEmpty
                }
            }
            return await group.reduce(into: [Bool]()) { $0.append($1) }
        }
        #expect(results.filter { $0 }.count == 100)
        #expect(throws: SchemaValidator.SchemaError.self) {
            try Self.validator(#"{"pattern":"(unclosed"}"#).validate(.string("x"), against: id)
        }
    }

    @Test func keysWithSlashOrTildeAreEscapedInPathsAndOthersKeptAsTheyAre() throws {
        let validator = try Self.validator(#"{"type":"object","additionalProperties":{"type":"string"}}"#)
        let violations = try validator.validate(
            .object(["a/b~c": .number(1), "plain": .number(2), "ok": .string("x")]),
            against: "https://example.test/s.json")
        #expect(Set(violations.map(\.instancePath)) == ["/a~1b~0c", "/plain"])
    }
}
