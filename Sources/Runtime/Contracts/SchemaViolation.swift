/// One way an instance fails a schema.
public struct SchemaViolation: Sendable, Equatable, CustomStringConvertible {
    /// JSON Pointer to the failing part of the instance (`""` for the whole, `/price`, `/ticket/id`).
    public var instancePath: String
    /// JSON Pointer to the schema keyword that failed (`/properties/price/type`).
    public var schemaPath: String
    /// What is wrong.
    public var message: String

    /// Creates a violation.
    public init(instancePath: String, schemaPath: String, message: String) {
        self.instancePath = instancePath
        self.schemaPath = schemaPath
        self.message = message
    }

    public var description: String {
        "\(instancePath.isEmpty ? "(root)" : instancePath): \(message) [schema \(schemaPath)]"
    }
}
