import Foundation
import Synchronization

extension UUID {
    /// A random (version 4) UUID whose bytes come from a pool the kernel refills 4 KiB at a time.
    ///
    /// Foundation's `UUID()` on Linux opens `/dev/urandom`, reads 16 bytes and closes it for every UUID: three
    /// system calls and a file descriptor, a tenth of what `serve` spent on a GET, which makes a request id
    /// (and a POST an event id and a ticket id too). The pool reads the same source, 256 UUIDs a read.
    public static func random() -> UUID {
        var uuid = RandomPool.shared.sixteenBytes()
        uuid.6 = (uuid.6 & 0x0F) | 0x40  // version 4
        uuid.8 = (uuid.8 & 0x3F) | 0x80  // RFC 9562 variant
        return UUID(uuid: uuid)
    }
}

/// Random bytes from `/dev/urandom` (kept open), read 4 KiB at a time; should it be missing (a container
/// without `/dev`), from the standard library's generator.
final class RandomPool: Sendable {
    static let shared = RandomPool()

    private struct State {
        var buffer = [UInt8](repeating: 0, count: 4096)
        var next = 4096
        /// The open `/dev/urandom`, -1 when it cannot be opened, `nil` before the first refill.
        var source: Int32?
        var refills = 0
    }

    private let state = Mutex(State())

    /// How many times the pool has been refilled (tests).
    var refills: Int { state.withLock { $0.refills } }

    /// `bytes` (at most 16) bytes of the pool as lower-case hex digits, never all zero (trace and span ids).
    func hex(bytes count: Int) -> String {
        let random = sixteenBytes()
        let count = min(count, 16)
        return withUnsafeBytes(of: random) { bytes in
            // All zero is not a valid id: the last byte becomes 1 then (a chance of 2^-64 and less).
            var zero = true
            for index in 0..<count where bytes[index] != 0 { zero = false }
            return String(unsafeUninitializedCapacity: count * 2) { text in
                for index in 0..<count {
                    let byte = zero && index == count - 1 ? 1 : bytes[index]
                    text[index * 2] = Self.digit(byte >> 4)
                    text[index * 2 + 1] = Self.digit(byte & 0x0F)
                }
                return count * 2
            }
        }
    }

    /// The lower-case hex digit of `value` (0-15), as UTF-8.
    private static func digit(_ value: UInt8) -> UInt8 {
        value < 10 ? 48 + value : 87 + value
    }

    /// The next 16 bytes of the pool.
    func sixteenBytes() -> uuid_t {
        state.withLock { state in
            if state.next + 16 > state.buffer.count { Self.refill(&state) }
            var bytes: uuid_t = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
            let start = state.next
            withUnsafeMutableBytes(of: &bytes) { target in
                state.buffer.withUnsafeBytes { pool in
                    target.copyMemory(from: UnsafeRawBufferPointer(rebasing: pool[start..<start + 16]))
                }
            }
            state.next += 16
            return bytes
        }
    }

    private static func refill(_ state: inout State) {
        let source = state.source ?? open("/dev/urandom", O_RDONLY | O_CLOEXEC)
        state.source = source
        var filled = 0
        if source >= 0 {
            filled = state.buffer.withUnsafeMutableBytes { buffer -> Int in
                guard let base = buffer.baseAddress else { return 0 }
                var filled = 0
                while filled < buffer.count {
                    let count = read(source, base + filled, buffer.count - filled)
                    if count > 0 {
                        filled += count
                    } else if count < 0 && errno == EINTR {
                        continue
                    } else {
                        break
                    }
                }
                return filled
            }
        }
        var generator = SystemRandomNumberGenerator()
        for index in filled..<state.buffer.count { state.buffer[index] = generator.next() }
        state.next = 0
        state.refills += 1
    }
}
