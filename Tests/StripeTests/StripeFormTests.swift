import Foundation
import Testing

@testable import Stripe

@Suite struct StripeFormTests {
    @Test func fieldsKeepTheirOrderAndMetadataIsSorted() {
        var form = StripeForm()
        form.append("amount", value: "1999")
        form.append("currency", value: "usd")
        form.appendMetadata(["ticketId": "t1", "orderId": "o1", "attempt": "2"])
        #expect(
            form.encoded == "amount=1999&currency=usd&metadata[attempt]=2&metadata[orderId]=o1&metadata[ticketId]=t1")
    }

    @Test func valuesArePercentEncodedLeavingOnlyUnreservedCharacters() {
        var form = StripeForm()
        form.append("description", value: "Müller & Sons = 100% + tax? a/b [x] ~ok_-.")
        #expect(
            form.encoded
                == "description=M%C3%BCller%20%26%20Sons%20%3D%20100%25%20%2B%20tax%3F%20a%2Fb%20%5Bx%5D%20~ok_-.")
    }

    @Test func structuralBracketsStayLiteralAndBracketsInsideAPartAreEncoded() {
        var form = StripeForm()
        form.append("payment_method_types", [""], value: "card")
        form.append("metadata", ["order id[1]"], value: "x")
        #expect(form.encoded == "payment_method_types[]=card&metadata[order%20id%5B1%5D]=x")
    }

    @Test func encodingRoundTripsThroughAFormDecoder() throws {
        var form = StripeForm()
        let metadata = ["orderId": "ord_1&2=3", "note": "naïve café 🎟️ +1", "empty": ""]
        form.appendMetadata(metadata)
        let decoded = try FormDecoding.decode(form.encoded)
        #expect(decoded.count == 3)
        for (key, value) in metadata { #expect(decoded.first { $0.0 == "metadata[\(key)]" }?.1 == value) }
    }
}

/// A plain `application/x-www-form-urlencoded` reader, as a server would read the body.
enum FormDecoding {
    struct Malformed: Error {}

    static func decode(_ body: String) throws -> [(String, String)] {
        guard !body.isEmpty else { return [] }
        return try body.split(separator: "&", omittingEmptySubsequences: false).map { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.count == 2, let name = decodeComponent(parts[0]), let value = decodeComponent(parts[1])
            else { throw Malformed() }
            return (name, value)
        }
    }

    private static func decodeComponent(_ text: Substring) -> String? {
        text.replacingOccurrences(of: "+", with: " ").removingPercentEncoding
    }
}
