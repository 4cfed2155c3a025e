import Foundation
import Mustache

/// The pages' Mustache templates, package resources under `Templates/`, parsed once. `{{name}}` escapes HTML;
/// the templates never use the unescaped forms.
enum Templates {
    /// The parsed library, or why it could not be read.
    static let library: Result<MustacheLibrary, TemplateError> = load()

    /// `name` rendered with `context`.
    static func render(_ name: String, _ context: [String: Any]) throws -> String {
        let library = try library.get()
        guard let output = library.render(context, withTemplate: name) else {
            throw TemplateError(description: "no template named '\(name)'")
        }
        return output
    }

    private static func load() -> Result<MustacheLibrary, TemplateError> {
        guard let directory = Bundle.module.url(forResource: "Templates", withExtension: nil) else {
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
            return .failure(TemplateError(description: "cannot read the templates: \(error)"))
        }
    }
}

/// A template that cannot be used.
struct TemplateError: Error, CustomStringConvertible {
    var description: String
}
