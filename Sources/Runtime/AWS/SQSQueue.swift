import CurlHTTP
import Foundation
import FunctionKit

/// An Amazon SQS queue a function's events are sent to — the `ticketing deploy sam` deployment, where each event
/// function takes batches from a queue of its own — written in `FUNCTION_URLS` as the queue's URL
/// (`https://sqs.us-east-1.amazonaws.com/123456789012/name`), or with the `sqs+http(s)` scheme for any other
/// SQS endpoint (ElasticMQ, LocalStack: `sqs+http://localhost:9324/000000000000/name`; region from
/// `AWS_REGION`). Each event goes as one `SendMessage` (the AWS JSON protocol, signed with Signature Version 4),
/// its body the structured-mode CloudEvent the Lambda mode reads from an SQS record.
public struct SQSQueue: Sendable, Equatable {
    /// The queue's URL, as SQS names it.
    public let queueURL: URL
    /// Where `SendMessage` is posted: the queue URL's scheme, host and port.
    public let endpoint: URL
    /// The queue's region.
    public let region: String

    /// The queue `url` names, if it names one: an `sqs.<region>.amazonaws.com` URL, or any `sqs+http(s)` URL
    /// (in `defaultRegion`); throws when no region can be told.
    public static func parse(_ url: URL, defaultRegion: String?) throws -> SQSQueue? {
        guard let scheme = url.scheme?.lowercased(), let host = url.host?.lowercased() else { return nil }
        let region: String?
        let plainScheme: String
        if scheme == "sqs+http" || scheme == "sqs+https" {
            plainScheme = String(scheme.dropFirst(4))
            region = Self.region(ofHost: host) ?? defaultRegion
        } else if scheme == "https", let named = Self.region(ofHost: host) {
            plainScheme = scheme
            region = named
        } else {
            return nil
        }
        guard let region, !region.isEmpty else {
            throw RemoteFunctionsError("the SQS queue \(url.absoluteString) needs a region: set AWS_REGION")
        }
        let port = url.port.map { ":\($0)" } ?? ""
        guard let endpoint = URL(string: "\(plainScheme)://\(host)\(port)/"),
            let queueURL = URL(string: "\(plainScheme)://\(host)\(port)\(url.path)"), url.path.count > 1
        else {
            throw RemoteFunctionsError("'\(url.absoluteString)' is not an SQS queue URL")
        }
        return SQSQueue(queueURL: queueURL, endpoint: endpoint, region: region)
    }

    /// `us-east-1` of `sqs.us-east-1.amazonaws.com` (and `.amazonaws.com.cn`).
    static func region(ofHost host: String) -> String? {
        let parts = host.split(separator: ".")
        guard parts.count >= 4, parts[0] == "sqs", parts[2] == "amazonaws" else { return nil }
        return String(parts[1])
    }

    /// Sends `event` as one message; the outcome for the dispatcher: handled once SQS has it (the queue's
    /// redrive policy retries and dead-letters from then on), failed to be retried when SQS throttles, errs
    /// or is out of reach, or the credentials have expired; rejected for anything else SQS refuses.
    func send(
        _ event: CloudEvent, credentials source: AWSCredentialSource, client: CurlClient, timeout: TimeInterval
    ) async -> EventOutcome {
        let credentials: AWSCredentials
        let body: Data
        do {
            credentials = try await source.credentials()
            body = try JSONCoding.data(
                SendMessage(QueueUrl: queueURL.absoluteString, MessageBody: try JSONCoding.string(event)))
        } catch {
            return .failed("SQS \(queueURL.absoluteString): \(error)")
        }
        var headers = [
            "content-type": "application/x-amz-json-1.0", "x-amz-target": "AmazonSQS.SendMessage",
        ]
        headers.merge(
            SigV4.sign(
                method: "POST", url: endpoint, headers: headers, body: body, service: "sqs", region: region,
                credentials: credentials, date: Date())
        ) { $1 }
        let request = CurlRequest(
            method: "POST", url: endpoint.absoluteString,
            headers: headers.sorted { $0.key < $1.key }.map { CurlHeader($0.key, $0.value) }, body: body,
            timeout: .milliseconds(Int64(timeout * 1000)))
        do {
            let answer = try await client.send(request)
            return Self.outcome(status: answer.status, body: answer.body)
        } catch {
            return .failed("SQS \(queueURL.absoluteString): \(error)")
        }
    }

    /// The outcome of SQS's answer.
    static func outcome(status: Int, body: Data) -> EventOutcome {
        let text = String(decoding: body.prefix(2000), as: UTF8.self)
        switch status {
        case 200..<300: return .handled
        case 500..., 408, 429: return .failed("SQS HTTP \(status): \(text)")
        default:
            let type = (try? JSONDecoder().decode(ErrorReply.self, from: body))?.type ?? ""
            let transient = ["Throttl", "RequestThrottled", "ExpiredToken", "RequestExpired", "ServiceUnavailable"]
            if transient.contains(where: { type.contains($0) }) { return .failed("SQS HTTP \(status): \(text)") }
            return .rejected("SQS HTTP \(status): \(text)")
        }
    }

    // The AWS JSON protocol's field names.
    // swift-format-ignore: AlwaysUseLowerCamelCase
    private struct SendMessage: Encodable {
        var QueueUrl: String
        var MessageBody: String
    }

    private struct ErrorReply: Decodable {
        var type: String?
        enum CodingKeys: String, CodingKey { case type = "__type" }
    }
}
