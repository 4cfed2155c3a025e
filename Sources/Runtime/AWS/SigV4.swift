import Crypto
import Foundation

/// AWS credentials: an access key, its secret, and the session token of temporary ones.
public struct AWSCredentials: Sendable, Equatable {
    /// The access key id.
    public var accessKey: String
    /// The secret access key.
    public var secret: String
    /// The session token, for temporary credentials.
    public var sessionToken: String?

    /// Credentials from their parts.
    public init(accessKey: String, secret: String, sessionToken: String? = nil) {
        self.accessKey = accessKey
        self.secret = secret
        self.sessionToken = sessionToken
    }
}

/// AWS Signature Version 4 for a request whose path is already canonical (no query), as an AWS JSON
/// protocol's `POST /` is: the fields to add, `Authorization` among them.
enum SigV4 {
    /// The fields that sign `body` sent by `method` to `url` with `headers` (whose names are signed too), for
    /// `service` in `region`, at `date`.
    static func sign(
        method: String, url: URL, headers: [String: String], body: Data, service: String, region: String,
        credentials: AWSCredentials, date: Date
    ) -> [String: String] {
        let stamp = Self.timestamp(date)
        let day = String(stamp.prefix(8))
        var signed = Dictionary(uniqueKeysWithValues: headers.map { ($0.key.lowercased(), $0.value) })
        signed["host"] = host(of: url)
        signed["x-amz-date"] = stamp
        if let token = credentials.sessionToken { signed["x-amz-security-token"] = token }
        let names = signed.keys.sorted()
        let canonicalHeaders = names.map { "\($0):\(signed[$0]?.trimmingCharacters(in: .whitespaces) ?? "")\n" }
            .joined()
        let signedHeaders = names.joined(separator: ";")
        let path = url.path.isEmpty ? "/" : url.path
        let canonicalRequest = [
            method, path, url.query ?? "", canonicalHeaders, signedHeaders, hex(SHA256.hash(data: body)),
        ].joined(separator: "\n")
        let scope = "\(day)/\(region)/\(service)/aws4_request"
        let stringToSign = [
            "AWS4-HMAC-SHA256", stamp, scope, hex(SHA256.hash(data: Data(canonicalRequest.utf8))),
        ].joined(separator: "\n")
        var key = SymmetricKey(data: Data("AWS4\(credentials.secret)".utf8))
        for part in [day, region, service, "aws4_request"] {
            key = SymmetricKey(data: Data(HMAC<SHA256>.authenticationCode(for: Data(part.utf8), using: key)))
        }
        let signature = hex(HMAC<SHA256>.authenticationCode(for: Data(stringToSign.utf8), using: key))
        var fields = ["x-amz-date": stamp]
        fields["x-amz-security-token"] = credentials.sessionToken
        fields["authorization"] =
            "AWS4-HMAC-SHA256 Credential=\(credentials.accessKey)/\(scope), SignedHeaders=\(signedHeaders), "
            + "Signature=\(signature)"
        return fields
    }

    /// `host` or `host:port`, as the `Host` field carries it (the port only when not the scheme's own).
    static func host(of url: URL) -> String {
        let host = url.host ?? ""
        guard let port = url.port else { return host }
        let standard = url.scheme?.lowercased() == "https" ? 443 : 80
        return port == standard ? host : "\(host):\(port)"
    }

    /// `yyyyMMdd'T'HHmmss'Z'` in UTC.
    static func timestamp(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? calendar.timeZone
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        return String(
            format: "%04d%02d%02dT%02d%02d%02dZ", parts.year ?? 0, parts.month ?? 0, parts.day ?? 0, parts.hour ?? 0,
            parts.minute ?? 0, parts.second ?? 0)
    }

    private static func hex<Digest: Sequence>(_ bytes: Digest) -> String where Digest.Element == UInt8 {
        bytes.map { String(format: "%02x", $0) }.joined()
    }
}
