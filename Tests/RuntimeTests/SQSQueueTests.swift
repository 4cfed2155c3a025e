import Foundation
import Testing

@testable import Runtime

/// Which function URLs name SQS queues, how a request is signed, and what SQS's answers mean for delivery.
@Suite struct SQSQueueTests {
    @Test func anAmazonQueueURLCarriesItsRegionAndAnSQSSchemeTakesTheDefault() throws {
        func queue(_ text: String, _ region: String?) throws -> SQSQueue? {
            try SQSQueue.parse(URL(string: text) ?? URL(fileURLWithPath: "/"), defaultRegion: region)
        }
        let amazon = try #require(try queue("https://sqs.eu-west-1.amazonaws.com/123456789012/orders", nil))
        #expect(amazon.region == "eu-west-1")
        #expect(amazon.endpoint.absoluteString == "https://sqs.eu-west-1.amazonaws.com/")
        #expect(amazon.queueURL.absoluteString == "https://sqs.eu-west-1.amazonaws.com/123456789012/orders")

        let local = try #require(try queue("sqs+http://localhost:9324/000000000000/orders", "us-east-2"))
        #expect(local.region == "us-east-2")
        #expect(local.endpoint.absoluteString == "http://localhost:9324/")
        #expect(local.queueURL.absoluteString == "http://localhost:9324/000000000000/orders")

        #expect(try queue("http://orders:8080/", "us-east-1") == nil)
        #expect(throws: RemoteFunctionsError.self) { try queue("sqs+http://localhost:9324/0/orders", nil) }
    }

    /// The credentials and date of AWS's Signature Version 4 test suite, on the JSON protocol's `POST /`: the
    /// signature botocore 1.44.18's SigV4Auth computes for the same request.
    @Test func aRequestIsSignedAsBotocoreSignsIt() throws {
        let url = URL(string: "https://sqs.us-east-1.amazonaws.com/") ?? URL(fileURLWithPath: "/")
        let fields = SigV4.sign(
            method: "POST", url: url,
            headers: ["content-type": "application/x-amz-json-1.0", "x-amz-target": "AmazonSQS.SendMessage"],
            body: Data(#"{"QueueUrl":"q","MessageBody":"m"}"#.utf8), service: "sqs", region: "us-east-1",
            credentials: AWSCredentials(accessKey: "AKIDEXAMPLE", secret: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"),
            date: Date(timeIntervalSince1970: 1_440_938_160))
        #expect(fields["x-amz-date"] == "20150830T123600Z")
        #expect(
            fields["authorization"]
                == "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/sqs/aws4_request, "
                + "SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=deef93d38e353235be409e2f59ba00abc993e65c1d3706eefa5443454fa835b2"
        )
    }

    @Test func throttlingAndExpiredTokensAreRetriedOtherRefusalsDeadLettered() {
        func outcome(_ status: Int, _ type: String) -> EventOutcome {
            SQSQueue.outcome(status: status, body: Data(#"{"__type":"\#(type)","message":"m"}"#.utf8))
        }
        #expect(SQSQueue.outcome(status: 200, body: Data(#"{"MessageId":"1"}"#.utf8)) == .handled)
        #expect(outcome(400, "com.amazonaws.sqs#ThrottlingException").status == "failed")
        #expect(outcome(400, "com.amazon.coral.service#ExpiredTokenException").status == "failed")
        #expect(outcome(500, "InternalError").status == "failed")
        #expect(outcome(400, "com.amazonaws.sqs#QueueDoesNotExist").status == "rejected")
        #expect(outcome(403, "com.amazon.coral.service#AccessDeniedException").status == "rejected")
    }
}
