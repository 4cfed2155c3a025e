import CurlHTTP
import Foundation

/// Where the dispatcher's AWS credentials come from, as the AWS SDKs look for them: `AWS_ACCESS_KEY_ID`,
/// `AWS_SECRET_ACCESS_KEY` and `AWS_SESSION_TOKEN`; else the container credentials endpoint that ECS and
/// EKS Pod Identity provide (`AWS_CONTAINER_CREDENTIALS_FULL_URI`, or `AWS_CONTAINER_CREDENTIALS_RELATIVE_URI`
/// on 169.254.170.2; its token from `AWS_CONTAINER_AUTHORIZATION_TOKEN` or `…_TOKEN_FILE`), whose
/// temporary credentials are kept until five minutes before they expire.
public actor AWSCredentialSource {
    private let environment: [String: String]
    private let client = CurlClient(idleLimit: 1)
    private var cached: (credentials: AWSCredentials, expires: Date)?

    /// A source reading `environment`.
    public init(environment: [String: String]) {
        self.environment = environment
    }

    /// Credentials to sign with now, or why there are none.
    public func credentials(now: Date = Date()) async throws -> AWSCredentials {
        if let key = environment["AWS_ACCESS_KEY_ID"], !key.isEmpty,
            let secret = environment["AWS_SECRET_ACCESS_KEY"], !secret.isEmpty
        {
            return AWSCredentials(
                accessKey: key, secret: secret,
                sessionToken: environment["AWS_SESSION_TOKEN"].flatMap {
                    $0.isEmpty ? nil : $0
                })
        }
        if let cached, cached.expires.timeIntervalSince(now) > 300 { return cached.credentials }
        guard let endpoint = containerEndpoint else {
            throw RemoteFunctionsError(
                "no AWS credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or run where the container "
                    + "credentials endpoint is (AWS_CONTAINER_CREDENTIALS_RELATIVE_URI or _FULL_URI)")
        }
        var headers: [CurlHeader] = []
        if let token = authorizationToken { headers.append(CurlHeader("Authorization", token)) }
        let answer = try await client.send(
            CurlRequest(method: "GET", url: endpoint, headers: headers, body: nil, timeout: .seconds(5)))
        guard answer.status == 200, let reply = try? JSONDecoder().decode(ContainerCredentials.self, from: answer.body)
        else {
            throw RemoteFunctionsError("the container credentials endpoint answered HTTP \(answer.status)")
        }
        let credentials = AWSCredentials(
            accessKey: reply.AccessKeyId, secret: reply.SecretAccessKey, sessionToken: reply.Token)
        let expires = reply.Expiration.flatMap(Date.parseISO8601) ?? now.addingTimeInterval(600)
        cached = (credentials, expires)
        return credentials
    }

    private var containerEndpoint: String? {
        if let full = environment["AWS_CONTAINER_CREDENTIALS_FULL_URI"], !full.isEmpty { return full }
        if let relative = environment["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"], !relative.isEmpty {
            return "http://169.254.170.2" + relative
        }
        return nil
    }

    private var authorizationToken: String? {
        if let path = environment["AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"], !path.isEmpty,
            let token = try? String(contentsOfFile: path, encoding: .utf8)
        {
            return token.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        return environment["AWS_CONTAINER_AUTHORIZATION_TOKEN"].flatMap { $0.isEmpty ? nil : $0 }
    }

    // The endpoint's field names.
    // swift-format-ignore: AlwaysUseLowerCamelCase
    private struct ContainerCredentials: Decodable {
        var AccessKeyId: String
        var SecretAccessKey: String
        var Token: String?
        var Expiration: String?
    }
}
