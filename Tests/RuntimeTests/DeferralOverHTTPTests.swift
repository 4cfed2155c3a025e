import Foundation
import FunctionKit
import Testing

@testable import Runtime

/// A deferred event crossing HTTP: a function container answers 503 with the code `deferred`, and the
/// dispatcher reading that answer defers the delivery instead of counting a failed attempt.
@Suite struct DeferralOverHTTPTests {
    let event = CloudEvent(id: "e-1", source: "/ticketing/tickets", type: "ticket:updated", time: nil, data: nil)

    @Test func aDeferredEventIsA503ThatTheDispatcherReadsAsDeferred() {
        let response = FunctionServer.response(.deferred("ticket t-1 version 3 arrived before version 2"), event: event)
        #expect(response.statusCode == 503)
        let outcome = RemoteFunctions.outcome(status: response.statusCode, body: Data(response.body.utf8))
        #expect(outcome.status == "deferred")
        #expect("\(outcome)".contains("arrived before version 2"))
    }

    @Test func anyOther503IsAFailedAttempt() {
        let failed = FunctionServer.response(.failed("database unavailable"), event: event)
        #expect(RemoteFunctions.outcome(status: failed.statusCode, body: Data(failed.body.utf8)).status == "failed")
        let plain = Data(#"{"errors":[{"message":"Service Unavailable"}]}"#.utf8)
        #expect(RemoteFunctions.outcome(status: 503, body: plain).status == "failed")
        #expect(RemoteFunctions.outcome(status: 503, body: Data("upstream down".utf8)).status == "failed")
    }
}
