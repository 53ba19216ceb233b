import Foundation

/// Repository and shared-fixture locations, computed from this file's path.
enum Paths {
    static let repoRoot: URL = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let shared: URL = repoRoot.deletingLastPathComponent().appendingPathComponent("shared")
    static let publicFixtures = shared.appendingPathComponent("fixtures/public")
    /// True when ../shared is present; tests that read it are skipped visibly otherwise.
    static let hasShared = FileManager.default.fileExists(atPath: publicFixtures.path)
    static let examples = repoRoot.appendingPathComponent("examples/manifests")

    static func text(_ url: URL) throws -> String {
        try String(contentsOf: url, encoding: .utf8)
    }
}
