import Foundation
@testable import SingletonCLI
import Testing

/// `install` carries deploy/**/*.yaml compiled in (Sources/SingletonCLI/Install/
/// DeployManifests.swift). This test keeps the two equal: it fails when deploy/ changed
/// and the embedding was not regenerated. Regenerate with
/// `UPDATE_EMBEDDED_MANIFESTS=1 swift test --filter EmbeddedManifestsTests`.
@Suite struct EmbeddedManifestsTests {
    static let deploy = Paths.repoRoot.appendingPathComponent("deploy")
    static let generated = Paths.repoRoot.appendingPathComponent("Sources/SingletonCLI/Install/DeployManifests.swift")

    static func deployFiles() throws -> [(String, String)] {
        let base = deploy.path
        guard let enumerator = FileManager.default.enumerator(atPath: base) else { return [] }
        var files: [(String, String)] = []
        for case let relative as String in enumerator where relative.hasSuffix(".yaml") {
            files.append(("deploy/" + relative, try String(contentsOfFile: base + "/" + relative, encoding: .utf8)))
        }
        return files.sorted { $0.0 < $1.0 }
    }

    static func render(_ files: [(String, String)]) -> String {
        var s = """
        // Generated from deploy/**/*.yaml: do not edit. Regenerate with `make embed`
        // (UPDATE_EMBEDDED_MANIFESTS=1 swift test --filter EmbeddedManifestsTests);
        // EmbeddedManifestsTests fails while this file and deploy/ differ.

        /// The webhook's manifests, compiled into the plugin so `install` needs no checkout.
        enum DeployManifests {
            static let files: [(path: String, content: String)] = [

        """
        for (path, content) in files {
            s += "        (\"\(path)\", ####\"\"\"\n\(content)\n\"\"\"####),\n"
        }
        s += "    ]\n}\n"
        return s
    }

    @Test func embeddedManifestsEqualDeployDirectory() throws {
        let files = try Self.deployFiles()
        #expect(!files.isEmpty, "deploy/ is missing")
        if ProcessInfo.processInfo.environment["UPDATE_EMBEDDED_MANIFESTS"] == "1" {
            try Self.render(files).write(to: Self.generated, atomically: true, encoding: .utf8)
        }
        let embedded = DeployManifests.files.map { ($0.path, $0.content) }
        #expect(embedded.map(\.0) == files.map(\.0), "run `make embed`")
        for ((path, content), (_, want)) in zip(embedded, files) {
            #expect(content == want, "\(path) differs from the embedded copy: run `make embed`")
        }
    }
}
