import Foundation

/// The payload of an `expiration-fire` timer: the order whose payment window runs out. The timer's key is
/// the order id, so cancelling the order withdraws it.
public struct OrderExpiry: Codable, Sendable, Equatable {
    /// The order's id.
    public var orderId: String

    /// Creates the payload.
    public init(orderId: String) {
        self.orderId = orderId
    }
}
