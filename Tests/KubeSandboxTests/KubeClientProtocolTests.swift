import Foundation
import KubeAPIMachinery
import KubeClient
import KubeCurl
import Testing
@testable import KubeSandbox

/// The protocol over real HTTPS with our own client (KubeClient over libcurl), as the webhook's
/// metadata cache and the plugin use it: paging, metadata-only lists, watch resume, 409, 410.
@Suite("KubeClient against the sandbox over HTTPS", .serialized)
struct KubeClientProtocolTests {
    func client(_ f: SandboxFixture) throws -> KubeClient {
        KubeClient(config: try ClientConfig.load(KubeConfigOptions(kubeconfig: f.kubeconfig), environment: [:]))
    }

    @Test func pagedMetadataListThenWatchResumesFromItsVersion() async throws {
        let f = try await SandboxFixture.start()
        defer { Task { await f.stop() } }
        let kc = try client(f)
        for name in ["a", "b", "c"] {
            _ = try await kc.create(
                deploymentsPath,
                body: deployment(name, annotations: ["kube-singleton.dev/mode": "at-most-one"]).serialized())
        }
        let list = try await kc.list("/apis/apps/v1/deployments", of: PartialObject.self, limit: 2, metadataOnly: true)
        #expect(list.items.count == 3)
        #expect(list.kind == "PartialObjectMetadataList")
        let first = try #require(list.items.first)
        #expect(first.kind == "PartialObjectMetadata")
        #expect(first.metadata.annotations?["kube-singleton.dev/mode"] == "at-most-one")

        _ = try await kc.patch(deploymentsPath + "/b/scale", body: Data(#"{"spec":{"replicas":0}}"#.utf8), type: .merge)
        _ = try await kc.delete(deploymentsPath + "/c")
        var seen: [String] = []
        for try await event in kc.watch(
            "/apis/apps/v1/deployments", resourceVersion: list.resourceVersion, allowBookmarks: false,
            metadataOnly: true)
        {
            let object = try JSONValue.parse(event.object)
            seen.append("\(event.type.rawValue) \(object.name)")
            if seen.last == "DELETED c" { break }
        }
        // b changes twice (the scale, then the controller's status update); nothing before the list's version.
        #expect(seen.first == "MODIFIED b")
        #expect(seen.last == "DELETED c")
        #expect(!seen.contains { $0.hasPrefix("ADDED") })
    }

    @Test func staleUpdateIs409AndTooOldWatchIs410() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("sandbox-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        var options = SandboxOptions()
        options.kubeconfigPath = dir.appendingPathComponent("kubeconfig").path
        options.watchHistory = 3
        options.controllers = false
        let f = SandboxFixture(sandbox: try await Sandbox.start(options), dir: dir)
        defer { Task { await f.stop() } }
        let kc = try client(f)
        let created = try JSONValue.parse(try await kc.create(deploymentsPath, body: deployment("web").serialized()))
        _ = try await kc.patch(deploymentsPath + "/web", body: Data(#"{"spec":{"replicas":2}}"#.utf8), type: .merge)
        do {
            _ = try await kc.update(deploymentsPath + "/web", body: created.serialized())
            Issue.record("a stale update must fail")
        } catch let error as KubeAPIError {
            #expect(error.code == 409)
        }
        for i in 0..<5 {
            _ = try await kc.patch(
                deploymentsPath + "/web", body: Data(#"{"metadata":{"labels":{"n":"\#(i)"}}}"#.utf8), type: .merge)
        }
        do {
            for try await _ in kc.watch(
                deploymentsPath, resourceVersion: created.resourceVersion, allowBookmarks: false)
            {}
            Issue.record("a watch from a compacted resourceVersion must fail")
        } catch let error as KubeAPIError {
            #expect(error.isGone)
        }
    }
}

/// A `PartialObjectMetadata` as these tests read it.
private struct PartialObject: Decodable {
    struct Metadata: Decodable {
        var name: String
        var namespace: String?
        var annotations: [String: String]?
    }
    var kind: String
    var metadata: Metadata
}
