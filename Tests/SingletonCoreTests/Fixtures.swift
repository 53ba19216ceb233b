import Foundation

/// The shared fixtures beside the checkout (`../shared/fixtures`). A user's clone does not
/// have them, so tests that read them are skipped, visibly, when the folder is absent.
enum Fixtures {
    static let root: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("shared/fixtures")

    static var available: Bool { FileManager.default.fileExists(atPath: root.path) }

    static func data(_ relative: String) throws -> Data {
        try Data(contentsOf: root.appendingPathComponent(relative))
    }

    static func json(_ relative: String) throws -> [String: Any] {
        (try JSONSerialization.jsonObject(with: data(relative))) as? [String: Any] ?? [:]
    }

    /// Wraps a bare AdmissionRequest into an AdmissionReview envelope.
    static func wrap(_ request: [String: Any]) throws -> Data {
        try JSONSerialization.data(withJSONObject: [
            "apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "request": request,
        ])
    }
}
