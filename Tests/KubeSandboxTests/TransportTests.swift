import Foundation
import SingletonCore
import Testing
import KubeCertificates
@testable import KubeSandbox

@Suite("HTTPS webhook transport")
struct TransportTests {
    @Test func slowWebhookTimesOut() async throws {
        let hook = try await TestWebhook.start(.slow(seconds: 4))
        defer { Task { await hook.stop() } }
        let review: JSONValue = ["apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "request": ["uid": "1"]]
        let call = WebhookCall(url: hook.url + "?timeout=1s", caBundlePEM: Data(hook.caPEM.utf8), body: review.serialized(), timeoutSeconds: 1)
        await #expect(throws: WebhookCallError.self) { _ = try await HTTPSWebhookTransport().post(call) }
        do { _ = try await HTTPSWebhookTransport().post(call) } catch { #expect("\(error)".contains("context deadline exceeded"), "\(error)") }
    }
}

@Suite("Sandbox start options")
struct SandboxStartTests {
    @Test func webhookCertificateIsSignedByTheSandboxCAAndServes() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("wh-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        var options = SandboxOptions()
        options.webhookCertificateDirectory = dir.path
        let sandbox = try await Sandbox.start(options)
        defer { Task { await sandbox.stop() } }
        let cert = try String(contentsOf: dir.appendingPathComponent("tls.crt"), encoding: .utf8)
        let ca = try String(contentsOf: dir.appendingPathComponent("ca.crt"), encoding: .utf8)
        #expect(ca == sandbox.caPEM)
        #expect(try CertificateFactory.isSigned(certificatePEM: cert, byAnyOf: sandbox.caPEM))
        #expect(try CertificateFactory.matches(certificatePEM: cert, host: "127.0.0.1"))
        let seeded = try await sandbox.seed(json: Data(#"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c","namespace":"demo"}}"#.utf8))
        #expect(seeded.first?[path: "metadata", "namespace"] == "demo")
        #expect(await sandbox.api.object(ResourceCatalog.namespaces, namespace: "", name: "demo") != nil)
    }
}
