import Foundation

extension UUID {
    /// The UUID in its canonical lowercase form (`8-4-4-4-12` hex digits), as ids are written everywhere in
    /// the API — what `uuidString.lowercased()` gives, without formatting each byte through `snprintf` and
    /// lowercasing the result (a request id and an event id are made per request).
    public var lowercasedString: String {
        let digits: StaticString = "0123456789abcdef"
        return withUnsafeBytes(of: uuid) { bytes in
            String(unsafeUninitializedCapacity: 36) { buffer in
                digits.withUTF8Buffer { hex in
                    var position = 0
                    for (index, byte) in bytes.enumerated() {
                        if index == 4 || index == 6 || index == 8 || index == 10 {
                            buffer[position] = UInt8(ascii: "-")
                            position += 1
                        }
                        buffer[position] = hex[Int(byte >> 4)]
                        buffer[position + 1] = hex[Int(byte & 0x0F)]
                        position += 2
                    }
                    return position
                }
            }
        }
    }
}
