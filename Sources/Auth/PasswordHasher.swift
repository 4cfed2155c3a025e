import CryptoExtras
import Foundation

/// Hashes and checks passwords with scrypt.
///
/// A stored hash carries its own parameters (`scrypt$<log2 N>$<r>$<p>$<salt>$<key>`, base64), so the cost
/// can be raised later without invalidating existing passwords. Each hash has a random 16-byte salt.
public struct PasswordHasher: Sendable {
    /// The scrypt cost parameters.
    public struct Cost: Sendable, Equatable {
        /// log2 of the CPU/memory cost N.
        public var logN: Int
        /// The block size r.
        public var blockSize: Int
        /// The parallelism p.
        public var parallelism: Int

        /// Creates cost parameters.
        public init(logN: Int, blockSize: Int = 8, parallelism: Int = 1) {
            self.logN = logN
            self.blockSize = blockSize
            self.parallelism = parallelism
        }

        /// The production default: N = 2^14, r = 8, p = 1 (about 40 ms per hash).
        public static let standard = Cost(logN: 14)
        /// A cheap cost for tests only.
        public static let fastForTests = Cost(logN: 4)
    }

    private static let keyLength = 32
    private static let saltLength = 16

    /// The cost new hashes are made with.
    public let cost: Cost

    /// Creates a hasher making new hashes at `cost`.
    public init(cost: Cost = .standard) {
        self.cost = cost
    }

    /// Hashes a password with a fresh random salt.
    public func hash(_ password: String) throws -> String {
        var generator = SystemRandomNumberGenerator()
        let salt = (0..<Self.saltLength).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        let key = try Self.derive(password, salt: salt, cost: cost)
        return [
            "scrypt", "\(cost.logN)", "\(cost.blockSize)", "\(cost.parallelism)",
            Data(salt).base64EncodedString(), Data(key).base64EncodedString(),
        ].joined(separator: "$")
    }

    /// Whether `password` matches `stored`, compared in constant time. A malformed stored hash matches
    /// nothing.
    public func verify(_ password: String, against stored: String) -> Bool {
        let parts = stored.split(separator: "$", omittingEmptySubsequences: false)
        guard parts.count == 6, parts[0] == "scrypt",
            let logN = Int(parts[1]), (1...24).contains(logN),
            let blockSize = Int(parts[2]), (1...64).contains(blockSize),
            let parallelism = Int(parts[3]), (1...16).contains(parallelism),
            let salt = Data(base64Encoded: String(parts[4])),
            let expected = Data(base64Encoded: String(parts[5])), expected.count == Self.keyLength,
            let actual = try? Self.derive(
                password, salt: Array(salt), cost: Cost(logN: logN, blockSize: blockSize, parallelism: parallelism))
        else { return false }
        return Self.constantTimeEquals(actual, Array(expected))
    }

    /// Spends the time of one verification without a stored hash, so an unknown user takes as long to
    /// refuse as a wrong password.
    public func verifyNothing(_ password: String) {
        _ = try? Self.derive(password, salt: Array(repeating: 0, count: Self.saltLength), cost: cost)
    }

    /// ``hash(_:)`` on a thread of its own, so a 40 ms hash does not hold up the tasks sharing the
    /// cooperative pool.
    public func hash(_ password: String) async throws -> String {
        try await Self.offPool { try self.hash(password) }
    }

    /// ``verify(_:against:)`` on a thread of its own.
    public func verify(_ password: String, against stored: String) async -> Bool {
        (try? await Self.offPool { self.verify(password, against: stored) }) ?? false
    }

    /// ``verifyNothing(_:)`` on a thread of its own.
    public func verifyNothing(_ password: String) async {
        _ = try? await Self.offPool { self.verifyNothing(password) }
    }

    private static func offPool<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global(qos: .userInitiated).async {
                continuation.resume(with: Result { try work() })
            }
        }
    }

    private static func derive(_ password: String, salt: [UInt8], cost: Cost) throws -> [UInt8] {
        let key = try KDF.Scrypt.deriveKey(
            from: Array(password.utf8), salt: salt, outputByteCount: keyLength, rounds: 1 << cost.logN,
            blockSize: cost.blockSize, parallelism: cost.parallelism,
            maxMemory: 128 * (1 << cost.logN) * cost.blockSize * (cost.parallelism + 2) + 1 << 20)
        return key.withUnsafeBytes { Array($0) }
    }

    static func constantTimeEquals(_ lhs: [UInt8], _ rhs: [UInt8]) -> Bool {
        guard lhs.count == rhs.count else { return false }
        var difference: UInt8 = 0
        for index in lhs.indices {
            difference |= lhs[index] ^ rhs[index]
        }
        return difference == 0
    }
}
