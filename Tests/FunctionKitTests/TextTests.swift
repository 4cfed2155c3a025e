import Foundation
import Testing

@testable import FunctionKit

/// The per-request text helpers give what Foundation gives, faster.
@Suite struct TextTests {
    @Test(arguments: [
        "plain", "", "caf%C3%A9", "a%2Fb", "%41%42%43", "100%25", "%e2%82%ac", "tr%C3%A8s%20bien",
        "bad%", "bad%4", "bad%zz", "%C3", "%FF%FE", "%%", "a%2", "é-raw", "%00",
    ])
    func percentDecodingMatchesFoundation(_ text: String) {
        #expect(text.percentDecoded == text.removingPercentEncoding)
        let padded = "x/" + text + "/y"
        let piece = padded.dropFirst(2).dropLast(2)
        #expect(piece.percentDecoded == text.removingPercentEncoding)
    }

    @Test func aUUIDsLowercasedStringIsItsCanonicalFormInLowercase() {
        for _ in 0..<200 {
            let uuid = UUID()
            #expect(uuid.lowercasedString == uuid.uuidString.lowercased())
        }
        let known = UUID(uuidString: "E621E1F8-C36C-495A-93FC-0C247A3E6E5F")
        #expect(known?.lowercasedString == "e621e1f8-c36c-495a-93fc-0c247a3e6e5f")
    }

    /// Ids from the pool are version-4 UUIDs, all different, across several refills of the pool.
    @Test func randomUUIDsAreVersion4AndDistinctAcrossRefills() {
        let before = RandomPool.shared.refills
        let ids = (0..<2000).map { _ in UUID.random() }
        #expect(Set(ids).count == ids.count)
        for id in ids {
            let text = id.lowercasedString
            #expect(text.count == 36)
            #expect(Array(text)[14] == "4", "\(text) is not version 4")
            #expect("89ab".contains(Array(text)[19]), "\(text) does not have the RFC variant")
            #expect(UUID(uuidString: text) == id)
        }
        // 2,000 ids are 32,000 bytes: the 4 KiB pool was read again seven or eight times, not once per id.
        let refills = RandomPool.shared.refills - before
        #expect(refills >= 7 && refills < 100, "\(refills) refills")
    }

    @Test(arguments: [
        "", " ", "plain", "  both  ", "\ttab\t", "\nline\n", "\r\n mixed \u{0B}\u{0C}", "\u{85}next\u{85}",
        "\u{A0}no-break\u{3000}", "\u{2028}line\u{2029}", "inner  space", "é ", " 🎟️ ", "\u{200B}zero-width\u{200B}",
        "\u{1680}ogham\u{205F}", "\u{180E}mongolian\u{180E}", "\u{FEFF}bom\u{FEFF}", "\u{2007}figure\u{202F}",
    ])
    func trimmingMatchesFoundation(_ text: String) {
        #expect(text.trimmingWhitespace() == text.trimmingCharacters(in: .whitespaces))
        #expect(text.trimmingWhitespaceAndNewlines() == text.trimmingCharacters(in: .whitespacesAndNewlines))
        let piece = ("[" + text + "]").dropFirst().dropLast()
        #expect(piece.trimmingWhitespace() == text.trimmingCharacters(in: .whitespaces))
    }
}
