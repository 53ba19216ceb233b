import Foundation
import HTTPSServerKit
import KubeAPIMachinery
import KubeCertificates
import Logging
import NIOCore
import SingletonCore
@testable import WebhookServer
import TestSupport
import Synchronization

/// The webhook's settings serving this PKI's server certificate, sized for tests.
extension TestPKI {
    func settings() -> WebhookSettings {
        var s = WebhookSettings(certificateFile: certFile, keyFile: keyFile)
        s.host = "127.0.0.1"
        s.port = 0
        s.threads = 2
        s.shutdownGrace = .seconds(5)
        s.limits = .forTests
        s.cacheBackoff = Backoff(initial: .milliseconds(10), maximum: .milliseconds(100))
        return s
    }
}

/// Captured JSON log lines.
final class LogCapture: Sendable {
    private let data = Mutex(Data())

    var logger: Logger {
        Logger(label: "singleton-webhook") { label in
            JSONLogHandler(label: label, level: .debug) { [self] line in
                self.data.withLock { $0.append(line) }
            }
        }
    }

    var lines: [[String: String]] {
        let data = self.data.withLock { $0 }
        return String(decoding: data, as: UTF8.self).split(separator: "\n").compactMap {
            try? JSONDecoder().decode([String: String].self, from: Data($0.utf8))
        }
    }
}

/// Paths to repository and shared fixtures (repo root is 3 levels above this file).
enum Fixtures {
    static let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let shared = repoRoot.deletingLastPathComponent().appendingPathComponent("shared")
    static var sharedAvailable: Bool {
        FileManager.default.fileExists(atPath: shared.appendingPathComponent("fixtures").path)
    }

    static func review(_ name: String) throws -> Data {
        try Data(contentsOf: repoRoot.appendingPathComponent("examples/reviews/\(name)"))
    }

    static func publicAdmission(_ name: String) throws -> Data {
        try Data(contentsOf: shared.appendingPathComponent("fixtures/public/admission/\(name)"))
    }
}

/// The response AdmissionReview, decoded loosely for assertions.
struct ReviewAnswer: Decodable {
    struct Status: Decodable { var code: Int?; var message: String?; var reason: String? }
    struct Response: Decodable {
        var uid: String
        var allowed: Bool
        var status: Status?
        var warnings: [String]?
    }
    var apiVersion: String
    var kind: String
    var response: Response

    static func decode(_ body: ByteBuffer) throws -> ReviewAnswer {
        try JSONDecoder().decode(ReviewAnswer.self, from: Data(body.readableBytesView))
    }
}

extension HTTPSClient {
    func review(
        _ body: Data, path: String = "/validate", contentType: String = "application/json"
    ) async throws -> ClientResponse {
        try await send(.POST, path, headers: ["Content-Type": contentType], body: ByteBuffer(bytes: body))
    }
}

/// A fixed in-memory MetadataSource: lists what it holds, watches never send anything,
/// GET finds the same objects. Optionally holds lists back until released (readiness tests).
actor StaticSource: MetadataSource {
    var objects: [WorkloadKind: [ObjectMeta]]
    private var held: Bool
    private var waiters: [CheckedContinuation<Void, Never>] = []

    init(objects: [WorkloadKind: [ObjectMeta]], holdLists: Bool = false) {
        self.objects = objects
        self.held = holdLists
    }

    func release() {
        held = false
        for w in waiters { w.resume() }
        waiters.removeAll()
    }

    func list(_ kind: WorkloadKind, namespace: String?) async throws -> MetadataList {
        if held { await withCheckedContinuation { waiters.append($0) } }
        return MetadataList(items: objects[kind] ?? [], resourceVersion: "1")
    }

    nonisolated func watch(
        _ kind: WorkloadKind, namespace: String?, resourceVersion: String
    ) async throws
        -> AsyncThrowingStream<MetadataWatchEvent, any Error>
    {
        AsyncThrowingStream { _ in }
    }

    func get(_ kind: WorkloadKind, namespace: String, name: String) async throws -> ObjectMeta? {
        objects[kind]?.first { $0.namespace == namespace && $0.name == name }
    }
}
