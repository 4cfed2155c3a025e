import Foundation
import FunctionKit
import Runtime

/// What `invoke` prints: the result, and what the invocation published and scheduled.
struct InvocationReport: Encodable {
    struct Outcome: Encodable {
        var status: String
        var message: String?
    }

    struct Scheduled: Encodable {
        var function: String
        var key: String
        var dueAt: String
        var payload: JSONValue
    }

    struct Cancelled: Encodable {
        var function: String
        var key: String
    }

    var function: String
    var response: HTTPResponse?
    var outcome: Outcome?
    var published: [CloudEvent]
    var scheduled: [Scheduled]
    var cancelled: [Cancelled]
    /// With `--follow`: what the invocation set off.
    var cascade: CascadeTree?
    /// The W3C trace id of the invocation, which every invocation of its cascade continues.
    var traceId: String?
    /// The effects as recorded, for building the cascade.
    let effects: [Effect]

    enum CodingKeys: String, CodingKey {
        case function, traceId, response, outcome, published, scheduled, cancelled, cascade
    }

    init(function: String, response: HTTPResponse?, outcome: EventOutcome?, effects: [Effect], trace: TraceContext?) {
        self.function = function
        self.traceId = trace?.traceID
        self.effects = effects
        self.response = response
        self.outcome = outcome.map { outcome in
            switch outcome {
            case .handled, .duplicate: Outcome(status: outcome.status)
            case .rejected(let message), .failed(let message), .deferred(let message):
                Outcome(status: outcome.status, message: message)
            }
        }
        var published: [CloudEvent] = []
        var scheduled: [Scheduled] = []
        var cancelled: [Cancelled] = []
        for effect in effects {
            switch effect {
            case .published(let event): published.append(event)
            case .scheduled(let invocation):
                scheduled.append(
                    Scheduled(
                        function: invocation.function, key: invocation.key, dueAt: invocation.dueAt.iso8601,
                        payload: invocation.payload))
            case .cancelledSchedule(let function, let key): cancelled.append(Cancelled(function: function, key: key))
            }
        }
        self.published = published
        self.scheduled = scheduled
        self.cancelled = cancelled
    }

    /// The result alone: the v2 response, or the event outcome.
    func resultJSON() throws -> String {
        if let response { return try JSONCoding.string(response, pretty: true) }
        return try JSONCoding.string(outcome, pretty: true)
    }

    /// The invocation in one line: the function and its status.
    var summary: String {
        if let response { return "\(function): \(response.statusCode)" }
        return "\(function): \(outcome?.status ?? "ran")" + (outcome?.message.map { " — \($0)" } ?? "")
    }

    /// One line per effect, for stderr.
    var effectLines: [String] {
        published.map { event in
            "published \(event.type) \(event.data.flatMap { try? JSONCoding.string($0) } ?? "")"
        }
            + scheduled.map {
                "scheduled \($0.function) at \($0.dueAt) (key \($0.key)) \((try? JSONCoding.string($0.payload)) ?? "")"
            }
            + cancelled.map { "cancelled scheduled \($0.function) (key \($0.key))" }
    }
}
