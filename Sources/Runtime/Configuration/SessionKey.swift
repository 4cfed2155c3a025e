import Foundation
import FunctionKit

/// Where the session signing key comes from: `JWT_KEY`, or for the local dev runtime a key generated
/// once and kept in the data directory.
public enum SessionKey {
    /// The file the local dev runtime keeps its key in.
    public static let fileName = "jwt-key"

    /// Why no key could be had.
    public struct Missing: Error, CustomStringConvertible, Sendable {
        public var description: String
    }

    /// `JWT_KEY` from `environment` when set; otherwise, if `localDevelopment`, the key in `dataDirectory`
    /// (created with 48 random bytes on first use). Keys shorter than 32 bytes are refused by
    /// ``SessionCodec``.
    public static func resolve(environment: [String: String], dataDirectory: URL, localDevelopment: Bool) throws
        -> String
    {
        if let key = environment["JWT_KEY"] {
            return key
        }
        guard localDevelopment else {
            throw Missing(description: "JWT_KEY is required (at least \(SessionCodec.minimumKeyLength) bytes)")
        }
        let file = dataDirectory.appendingPathComponent(fileName)
        if let data = FileManager.default.contents(atPath: file.path) {
            return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        }
        try FileManager.default.createDirectory(at: dataDirectory, withIntermediateDirectories: true)
        var generator = SystemRandomNumberGenerator()
        let key = Data((0..<48).map { _ in UInt8.random(in: .min ... .max, using: &generator) }).base64EncodedString()
        let temporary = dataDirectory.appendingPathComponent(
            "\(fileName).\(ProcessInfo.processInfo.processIdentifier).tmp")
        guard
            FileManager.default.createFile(
                atPath: temporary.path, contents: Data(key.utf8), attributes: [.posixPermissions: 0o600])
        else {
            throw Missing(description: "cannot write \(file.path)")
        }
        // Another process may have created the key meanwhile: the first one written wins.
        if (try? FileManager.default.linkItem(at: temporary, to: file)) == nil {
            try? FileManager.default.removeItem(at: temporary)
            if let data = FileManager.default.contents(atPath: file.path) {
                return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            }
            throw Missing(description: "cannot write \(file.path)")
        }
        try? FileManager.default.removeItem(at: temporary)
        return key
    }
}
