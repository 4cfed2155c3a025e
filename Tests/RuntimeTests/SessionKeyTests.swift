import Foundation
import FunctionKit
import Runtime
import Testing

@Suite struct SessionKeyTests {
    @Test func theLocalRuntimeGeneratesAKeyOnceAndKeepsIt() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ticketing-key-\(UUID())")
        defer { try? FileManager.default.removeItem(at: directory) }
        let first = try SessionKey.resolve(environment: [:], dataDirectory: directory, localDevelopment: true)
        let second = try SessionKey.resolve(environment: [:], dataDirectory: directory, localDevelopment: true)
        #expect(first == second)
        #expect(first.utf8.count >= SessionCodec.minimumKeyLength)
        let attributes = try FileManager.default.attributesOfItem(
            atPath: directory.appendingPathComponent(SessionKey.fileName).path)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
    }

    @Test func jwtKeyFromTheEnvironmentWinsAndIsRequiredOutsideLocalDevelopment() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ticketing-key-\(UUID())")
        #expect(
            try SessionKey.resolve(environment: ["JWT_KEY": "k"], dataDirectory: directory, localDevelopment: false)
                == "k")
        #expect(throws: SessionKey.Missing.self) {
            try SessionKey.resolve(environment: [:], dataDirectory: directory, localDevelopment: false)
        }
    }
}
