import Foundation
import FunctionKit

/// `web-assets`: `GET /assets/{name}`, the stylesheet and the script (package resources under `Assets/`; read
/// from `TICKETING_WEB_DIR`'s `Assets/` at every request when that is set, as under `serve --watch`).
struct AssetsPage: HTMLFunction {
    /// Each asset's bytes and content type, read once.
    static let assets = read(from: Bundle.module.url(forResource: "Assets", withExtension: nil))

    /// The assets in `directory` by file name: their text and content type.
    static func read(from directory: URL?) -> [String: (body: String, type: String)] {
        guard let directory,
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
    }

    func handle(_ request: HTTPRequest, context: FunctionContext) async throws -> HTTPResponse {
        let assets = WebSources.directory.map { Self.read(from: $0.appendingPathComponent("Assets")) } ?? Self.assets
        guard let asset = assets[request.pathParameters["name"] ?? ""] else {
            return HTTPResponse(
                statusCode: 404, headers: ["content-type": "text/html; charset=utf-8"], body: "<p>Not found</p>")
        }
        // Read from disk, an asset may change at any moment: the browser then asks again each time.
        let caching = WebSources.directory == nil ? "public, max-age=300" : "no-cache"
        return HTTPResponse(
            statusCode: 200,
            headers: ["content-type": asset.type, "cache-control": caching, "x-content-type-options": "nosniff"],
            body: asset.body)
    }
}
