import Foundation
import Mustache

/// The pages' Mustache templates, package resources under `Templates/`, parsed once. `{{name}}` escapes HTML;
/// the templates never use the unescaped forms.
///
/// With `TICKETING_WEB_DIR` set (as `ticketing serve --watch` sets it to the project's `Sources/Web`), they are
/// read from that directory's `Templates/` at every render instead, so an edited template shows at the next
/// request without a rebuild.
enum Templates {
    /// The parsed library, or why it could not be read.
    static let library = load(from: Bundle.module.url(forResource: "Templates", withExtension: nil))

    /// `name` rendered with `context`.
    static func render(_ name: String, _ context: [String: Any]) throws -> String {
        let library =
            try WebSources.directory.map { try load(from: $0.appendingPathComponent("Templates")).get() }
            ?? library.get()
        guard let output = library.render(context, withTemplate: name) else {
            throw TemplateError(description: "no template named '\(name)'")
        }
        return output
    }

    private static func load(from directory: URL?) -> Result<MustacheLibrary, TemplateError> {
        guard let directory else {
            return .failure(TemplateError(description: "the Templates resources are missing"))
        }
        do {
            var library = MustacheLibrary()
            let files = try FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: nil)
            for file in files where file.pathExtension == "mustache" {
                let text = try String(contentsOf: file, encoding: .utf8)
                try library.register(text, named: file.deletingPathExtension().lastPathComponent)
            }
            return .success(library)
        } catch {
            return .failure(TemplateError(description: "cannot read the templates in \(directory.path): \(error)"))
        }
    }
}

/// Where the templates and assets are read from at every request instead of the package resources:
/// `TICKETING_WEB_DIR`, a directory holding `Templates/` and `Assets/`.
enum WebSources {
    static let directory: URL? = ProcessInfo.processInfo.environment["TICKETING_WEB_DIR"].flatMap {
        $0.isEmpty ? nil : URL(fileURLWithPath: $0, isDirectory: true)
    }
}

/// A template that cannot be used.
struct TemplateError: Error, CustomStringConvertible {
    var description: String
}
