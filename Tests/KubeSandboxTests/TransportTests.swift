import Foundation
import KubeAPIMachinery
import Testing
import KubeCertificates
import TestSupport
@testable import KubeSandbox

@Suite("HTTPS webhook transport (libcurl)")
struct TransportTests {
    @Test func certificateMustNameTheAddress() async throws {
        let pki = try TestPKI.make()
        let cert = try pki.issue(
            CertificateSpec(commonName: "elsewhere", dnsNames: ["elsewhere.example"], usage: .server))
        let hook = try await TestWebhook.start(.warn, certificate: cert)
        defer { Task { await hook.stop() } }
        let call = WebhookCall(
            url: hook.url, caBundlePEM: Data(pki.ca.certificatePEM.utf8), body: Data("{}".utf8), timeoutSeconds: 5)
        do {
            _ = try await CurlWebhookTransport().post(call)
            Issue.record("a certificate without 127.0.0.1 in its SANs must not be accepted")
        } catch {
            #expect("\(error)".contains("tls: failed to verify certificate"), "\(error)")
        }
    }

    @Test func serviceWebhooksAreVerifiedAgainstTheirServiceName() async throws {
        let pki = try TestPKI.make()
        let cert = try pki.issue(CertificateSpec(commonName: "hook", dnsNames: ["hook.test.svc"], usage: .server))
        let hook = try await TestWebhook.start(.warn, certificate: cert)
        defer { Task { await hook.stop() } }
        let review: JSONValue = [
            "apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "request": ["uid": "1"],
        ]
        let call = WebhookCall(
            url: hook.url, caBundlePEM: Data(pki.ca.certificatePEM.utf8), body: review.serialized(),
            timeoutSeconds: 5, serverName: "hook.test.svc")
        let answer = try JSONValue.parse(try await CurlWebhookTransport().post(call))
        #expect(answer[path: "response", "uid"] == "1")
    }

    @Test func slowWebhookTimesOut() async throws {
        let hook = try await TestWebhook.start(.slow(seconds: 4))
        defer { Task { await hook.stop() } }
        let review: JSONValue = [
            "apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "request": ["uid": "1"],
        ]
        let call = WebhookCall(
            url: hook.url + "?timeout=1s", caBundlePEM: Data(hook.caPEM.utf8), body: review.serialized(),
            timeoutSeconds: 1)
        await #expect(throws: WebhookCallError.self) { _ = try await CurlWebhookTransport().post(call) }
        do { _ = try await CurlWebhookTransport().post(call) } catch {
            #expect("\(error)".contains("context deadline exceeded"), "\(error)")
        }
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
        let seeded = try await sandbox.seed(
            json: Data(#"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c","namespace":"demo"}}"#.utf8))
        #expect(seeded.first?[path: "metadata", "namespace"] == "demo")
        #expect(await sandbox.api.object(ResourceCatalog.namespaces, namespace: "", name: "demo") != nil)
    }
}

@Suite("Protobuf bodies: bad input is refused, never crashes")
struct ProtobufRobustnessTests {
    @Test(arguments: [
        [UInt8](),
        [0x6B, 0x38, 0x73, 0x00],
        [0x6B, 0x38, 0x73, 0x00, 0x12, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01],
        [0x6B, 0x38, 0x73, 0x00, 0x0A, 0x0F, 0x0A, 0x02, 0x76, 0x31, 0x12, 0x09] + Array("Namespace".utf8) + [
            0x12, 0x03, 0x0A, 0x05, 0x0A,
        ],
        [0x6B, 0x38, 0x73, 0x00, 0x0A, 0x0F, 0x0A, 0x02, 0x76, 0x31, 0x12, 0x09] + Array("Namespace".utf8) + [
            0x12, 0x02, 0xF8, 0x07,
        ],
        Array("not protobuf at all".utf8),
    ])
    func malformed(bytes: [UInt8]) {
        #expect(throws: KubeAPIError.self) { try ProtobufDecoding.decode(Data(bytes)) }
    }

    @Test func aMinimalNamespaceDecodes() throws {
        // envelope: typeMeta{apiVersion "v1", kind "Namespace"}, raw = Namespace{metadata{name "demo"}}
        let raw: [UInt8] = [0x0A, 0x06, 0x0A, 0x04] + Array("demo".utf8)
        let bytes: [UInt8] =
            [0x6B, 0x38, 0x73, 0x00, 0x0A, 0x0F, 0x0A, 0x02, 0x76, 0x31, 0x12, 0x09] + Array("Namespace".utf8)
            + [0x12, UInt8(raw.count)] + raw
        let object = try ProtobufDecoding.decode(Data(bytes))
        #expect(object == ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": "demo"]])
    }
}
