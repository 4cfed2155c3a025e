import Foundation
import FunctionKit

/// `web-assets`: `GET /assets/{name}`, the stylesheet and the script (package resources under `Assets/`).
struct AssetsPage: HTMLFunction {
    /// Each asset's bytes and content type, read once.
    static let assets: [String: (body: String, type: String)] = {
        guard let directory = Bundle.module.url(forResource: "Assets", withExtension: nil),
            let files = try? FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: nil)
        else { return [:] }
        let types = ["css": "text/css; charset=utf-8", "js": "text/javascript; charset=utf-8"]
        var assets: [String: (body: String, type: String)] = [:]
        for file in files {
            guard let type = types[file.pathExtension], let body = try? String(contentsOf: file, encoding: .utf8)
            else { continue }
            assets[file.lastPathComponent] = (body, type)
        }
        return assets
    }()

    func handle(_ request: HTTPRequest, context: FunctionContext) async throws -> HTTPResponse {
        guard let asset = Self.assets[request.pathParameters["name"] ?? ""] else {
            return HTTPResponse(
                statusCode: 404, headers: ["content-type": "text/html; charset=utf-8"], body: "<p>Not found</p>")
        }
        return HTTPResponse(
            statusCode: 200,
            headers: [
                "content-type": asset.type, "cache-control": "public, max-age=300", "x-content-type-options": "nosniff",
            ],
            body: asset.body)
    }
}
