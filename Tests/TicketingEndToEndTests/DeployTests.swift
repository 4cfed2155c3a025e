import ChildProcess
import Foundation
import Testing

/// `ticketing deploy knative` and `ticketing deploy sam`: the manifests derived from functions.yaml, checked by
/// Tests/Support/check_deploy.py: kubernetes-validate where it knows the kind, Knative's own structure, cfn-lint
/// and aws-sam-translator's transform for the SAM template, and every function of functions.yaml.
@Suite struct DeployTests {
    @Test func knativeManifestsPassTheValidatorsAndCoverEveryFunction() throws {
        let runner = CommandRunner()
        defer { runner.cleanUp() }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("deploy-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let written = try runner.run([
            "deploy", "knative", "--image", "registry.example.com/ticketing:1.0", "--namespace", "shop", "--output",
            directory.path,
        ])
        #expect(written.status == 0, "\(written.stderr)")
        let file = directory.appendingPathComponent("knative.yaml")
        #expect(written.stdout == file.path + "\n")
        let yaml = try String(contentsOf: file, encoding: .utf8)
        #expect(yaml.contains(#"image: "registry.example.com/ticketing:1.0""#))
        #expect(yaml.contains("namespace: shop"))
        #expect(yaml.contains("http://orders-create.shop.svc.cluster.local"))
        let checked = try Self.check("knative", file.path)
        #expect(checked.status == 0, "\(checked.output)\(checked.error)")
        #expect(checked.output.contains("15 Trigger"), "\(checked.output)")

        // Printed without --output: the same objects; a short URL without a namespace.
        let printed = try runner.run(["deploy", "knative", "--image", "registry.example.com/ticketing:1.0"])
        #expect(printed.status == 0)
        #expect(printed.stdout.hasPrefix("---\napiVersion: v1\nkind: ConfigMap"))
        #expect(printed.stdout.contains("=http://orders-create,"), "the Service's short name, in its namespace")
        #expect(!printed.stdout.contains("namespace:"))

        let missing = try runner.run(["deploy", "knative", "--manifest", "/nonexistent/functions.yaml"])
        #expect(missing.status != 0)
        #expect(missing.stderr.split(separator: "\n").count == 1, "\(missing.stderr)")
    }

    @Test func samTemplatePassesCfnLintAndTheSAMTransformAndCoversEveryFunction() throws {
        let runner = CommandRunner()
        defer { runner.cleanUp() }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("deploy-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let written = try runner.run(["deploy", "sam", "--output", directory.path])
        #expect(written.status == 0, "\(written.stderr)")
        let file = directory.appendingPathComponent("template.yaml")
        #expect(written.stdout == file.path + "\n")
        let checked = try Self.check("sam", file.path)
        #expect(checked.status == 0, "\(checked.output)\(checked.error)")
        #expect(checked.output.contains("15 SQS event sources"), "\(checked.output)")

        let printed = try runner.run(["deploy", "sam"])
        #expect(printed.status == 0)
        #expect(printed.stdout == (try String(contentsOf: file, encoding: .utf8)))
        #expect(
            printed.stdout.hasPrefix("AWSTemplateFormatVersion: \"2010-09-09\"\nTransform: AWS::Serverless-2016-10-31"))
    }

    @Test func composeFilesAreWhatDeployComposeWritesAndRunEveryFunction() throws {
        let runner = CommandRunner()
        defer { runner.cleanUp() }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("deploy-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let written = try runner.run(["deploy", "compose", "--output", directory.path])
        #expect(written.status == 0, "\(written.stderr)")
        for name in ["compose.yaml", "prometheus.yml"] {
            let committed = try String(
                contentsOf: CommandRunner.root.appendingPathComponent("runtime/\(name)"), encoding: .utf8)
            let generated = try String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8)
            #expect(
                committed == generated,
                "runtime/\(name) is out of date with functions.yaml: run ticketing deploy compose --output runtime")
        }
        let checked = try Self.check("compose", directory.appendingPathComponent("compose.yaml").path)
        #expect(checked.status == 0, "\(checked.output)\(checked.error)")
    }

    /// Tests/Support/check_deploy.py's `kind` check of the file at `path` against the project's functions.yaml.
    private static func check(_ kind: String, _ path: String) throws -> ChildProcess.Completed {
        try ChildProcess.run(
            "/usr/bin/env",
            [
                "python3", CommandRunner.root.appendingPathComponent("Tests/Support/check_deploy.py").path, kind, path,
                CommandRunner.root.appendingPathComponent("functions.yaml").path,
            ])
    }
}
