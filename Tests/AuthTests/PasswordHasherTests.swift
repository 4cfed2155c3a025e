import Testing

@testable import Auth

@Suite struct PasswordHasherTests {
    @Test func hashesCarryTheirParametersAndASalt() throws {
        let hasher = PasswordHasher(cost: .fastForTests)
        let first = try hasher.hash("secret")
        let second = try hasher.hash("secret")
        #expect(first.hasPrefix("scrypt$4$8$1$"))
        #expect(first != second, "each hash has its own salt")
        #expect(hasher.verify("secret", against: first))
        #expect(!hasher.verify("secreT", against: first))
    }

    @Test func verifiesHashesMadeAtAnotherCost() throws {
        let old = try PasswordHasher(cost: .init(logN: 5)).hash("secret")
        #expect(PasswordHasher(cost: .fastForTests).verify("secret", against: old))
    }

    @Test func productionDefaultIsNTwoToTheFourteen() {
        #expect(PasswordHasher().cost == .init(logN: 14, blockSize: 8, parallelism: 1))
    }

    @Test(arguments: ["", "bcrypt$x", "scrypt$4$8$1$!!$!!", "scrypt$99$8$1$AAAA$AAAA", "scrypt$4$8$1$AAAA$AAAA"])
    func malformedStoredHashesMatchNothing(stored: String) {
        #expect(!PasswordHasher(cost: .fastForTests).verify("secret", against: stored))
    }

    @Test func comparesWholeValues() {
        #expect(PasswordHasher.constantTimeEquals([1, 2, 3], [1, 2, 3]))
        #expect(!PasswordHasher.constantTimeEquals([1, 2, 3], [1, 2, 4]))
        #expect(!PasswordHasher.constantTimeEquals([1, 2], [1, 2, 3]))
    }
}
