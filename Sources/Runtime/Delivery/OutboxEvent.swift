import Contracts
import Foundation
import FunctionKit
import SQLKit

/// One row of a service's outbox, read back as the CloudEvent it was published as.
public struct OutboxEvent: Sendable {
    /// The row's position in commit order.
    public var seq: Int64
    /// The event.
    public var event: CloudEvent

    static let columns = ["seq", "event_id", "subject", "data", "created_at"]

    init(row: any SQLRow, publisher: String) throws {
        seq = try row.decode(column: "seq", as: Int64.self)
        let subject = Subject(rawValue: try row.decode(column: "subject", as: String.self))
        let data = try row.decode(column: "data", as: String.self)
        let createdAt = Date(epochMilliseconds: try row.decode(column: "created_at", as: Int64.self))
        event = CloudEvent.published(
            id: try row.decode(column: "event_id", as: String.self), subject: subject, by: publisher, at: createdAt,
            data: try JSONValue(parsing: Data(data.utf8)))
    }
}
