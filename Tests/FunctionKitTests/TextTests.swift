import Foundation
import FunctionKit
import Testing

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
}
