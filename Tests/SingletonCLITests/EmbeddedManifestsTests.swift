import Foundation
@testable import SingletonCLI
import Testing
import TestSupport

/// `install` carries deploy/**/*.yaml compiled in (Sources/SingletonCLI/Install/
/// DeployManifests.swift, written by scripts/embed-manifests.sh). This test keeps the two equal:
/// it fails when deploy/ changed and the embedding was not regenerated with `make embed`.
@Suite struct EmbeddedManifestsTests {
    static let deploy = Paths.repoRoot.appendingPathComponent("deploy")

    static func deployFiles() throws -> [(String, String)] {
        let base = deploy.path
        guard let enumerator = FileManager.default.enumerator(atPath: base) else { return [] }
        var files: [(String, String)] = []
        for case let relative as String in enumerator where relative.hasSuffix(".yaml") {
            files.append(("deploy/" + relative, try String(contentsOfFile: base + "/" + relative, encoding: .utf8)))
        }
        return files.sorted { $0.0 < $1.0 }
    }

    @Test func embeddedManifestsEqualDeployDirectory() throws {
        let files = try Self.deployFiles()
        #expect(!files.isEmpty, "deploy/ is missing")
        let embedded = DeployManifests.files.map { ($0.path, $0.content) }
        #expect(
            embedded.map(\.0) == files.map(\.0), "deploy/ and the embedded copy list different files: run `make embed`")
        for ((path, content), (_, want)) in zip(embedded, files) {
            #expect(content == want, "\(path) differs from the embedded copy: run `make embed`")
        }
    }

    /// The file on disk is byte for byte what the generator writes, header included, so a hand
    /// edit that happens to compile is caught too.
    @Test func generatedFileIsTheScriptsOutput() async throws {
        let script = Paths.repoRoot.appendingPathComponent("scripts/embed-manifests.sh").path
        let result = try await runProcess(
            "/bin/bash", [script, "--check"],
            environment: ProcessInfo.processInfo.environment)
        #expect(result.status == 0, "\(result.stderr)")
    }
}
