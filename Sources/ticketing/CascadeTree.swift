import Foundation
import FunctionKit
import Runtime

/// What `invoke --follow` shows: the invocation and, under each event it published or timer it set, the
/// deliveries that caused, recursively.
struct CascadeTree: Encodable {
    struct Published: Encodable {
        var type: String
        var id: String
        /// The publishing invocation's trace context, which the deliveries continue.
        var traceparent: String?
        var data: JSONValue?
        var deliveries: [Node]
    }

    struct Scheduled: Encodable {
        var function: String
        var key: String
        var dueAt: String
        var deliveries: [Node]
    }

    struct Cancelled: Encodable {
        var function: String
        var key: String
    }

    struct Node: Encodable {
        var function: String
        var attempt: Int
        var status: String
        var message: String?
        var deadLettered: Bool
        /// The invocation's own span.
        var traceparent: String?
        var published: [Published]
        var scheduled: [Scheduled]
        var cancelled: [Cancelled]
    }

    /// The deliveries under the invocation's effects.
    var published: [Published]
    var scheduled: [Scheduled]
    var cancelled: [Cancelled]
    /// Deliveries of events the invocation did not cause (an older backlog in the data directory).
    var unrelated: Int

    init(effects: [Effect], deliveries: [Delivery]) {
        var byEvent: [String: [Delivery]] = [:]
        for delivery in deliveries { byEvent[delivery.event.id, default: []].append(delivery) }
        var used = 0
        func branches(_ effects: [Effect]) -> ([Published], [Scheduled], [Cancelled]) {
            var published: [Published] = []
            var scheduled: [Scheduled] = []
            var cancelled: [Cancelled] = []
            for effect in effects {
                switch effect {
                case .published(let event):
                    published.append(
                        Published(
                            type: event.type, id: event.id, traceparent: event.traceparent, data: event.data,
                            deliveries: nodes(event.id)))
                case .scheduled(let invocation):
                    scheduled.append(
                        Scheduled(
                            function: invocation.function, key: invocation.key, dueAt: invocation.dueAt.iso8601,
                            deliveries: nodes(invocation.id)))
                case .cancelledSchedule(let function, let key):
                    cancelled.append(Cancelled(function: function, key: key))
                }
            }
            return (published, scheduled, cancelled)
        }
        func nodes(_ eventID: String) -> [Node] {
            let matching = byEvent.removeValue(forKey: eventID) ?? []
            used += matching.count
            return matching.map { delivery in
                let (published, scheduled, cancelled) = branches(delivery.effects)
                var message: String?
                if case .rejected(let text) = delivery.outcome { message = text }
                if case .failed(let text) = delivery.outcome { message = text }
                if case .deferred(let text) = delivery.outcome { message = text }
                return Node(
                    function: delivery.consumer, attempt: delivery.attempt, status: delivery.outcome.status,
                    message: message, deadLettered: delivery.deadLettered,
                    traceparent: delivery.trace?.traceparent, published: published,
                    scheduled: scheduled, cancelled: cancelled)
            }
        }
        (published, scheduled, cancelled) = branches(effects)
        unrelated = deliveries.count - used
    }

    /// The tree as text lines, rooted at `root`.
    func lines(root: String) -> [String] {
        var lines = [root]
        Self.append(published, scheduled, cancelled, prefix: "", to: &lines)
        if unrelated > 0 {
            lines.append("(\(unrelated) other deliver\(unrelated == 1 ? "y" : "ies") of earlier events)")
        }
        return lines
    }

    private static func append(
        _ published: [Published], _ scheduled: [Scheduled], _ cancelled: [Cancelled], prefix: String,
        to lines: inout [String]
    ) {
        var items: [(String, [Node])] = []
        for event in published {
            let data = event.data.flatMap { try? JSONCoding.string($0) } ?? ""
            items.append(("published \(event.type) \(data)", event.deliveries))
        }
        for timer in scheduled {
            items.append(("scheduled \(timer.function) at \(timer.dueAt) (key \(timer.key))", timer.deliveries))
        }
        for timer in cancelled {
            items.append(("cancelled scheduled \(timer.function) (key \(timer.key))", []))
        }
        for (index, (label, nodes)) in items.enumerated() {
            let last = index == items.count - 1
            lines.append(prefix + (last ? "└─ " : "├─ ") + label)
            let childPrefix = prefix + (last ? "   " : "│  ")
            for (nodeIndex, node) in nodes.enumerated() {
                let lastNode = nodeIndex == nodes.count - 1
                var line = "→ \(node.function): \(node.status)"
                if node.attempt > 1 { line += " (attempt \(node.attempt))" }
                if let message = node.message { line += " — \(message)" }
                if node.deadLettered { line += " [dead-lettered]" }
                lines.append(childPrefix + (lastNode ? "└─ " : "├─ ") + line)
                append(
                    node.published, node.scheduled, node.cancelled, prefix: childPrefix + (lastNode ? "   " : "│  "),
                    to: &lines)
            }
        }
    }
}
