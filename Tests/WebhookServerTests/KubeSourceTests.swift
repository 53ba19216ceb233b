import Foundation
import HTTPSServerKit
import KubeCertificates
import KubeClient
import KubeCurl
import SingletonCore
import Testing
import TestSupport
@testable import WebhookServer

/// The parent cache fed by KubeClient from a local HTTPS API: list, watch, bookmarks,
/// 410 relist, GET on a miss, uid checks, and the verdicts that depend on them.
@Suite("Parent lookup through KubeClient against a local HTTPS API")
struct KubeSourceTests {
    static let scaleUID = "6a3e1f0c-9d2b-4b7e-8c1a-2f4d5e6a7b8c"  // examples/reviews/07's Scale uid

    static func meta(_ name: String, uid: String, mode: String?) -> ObjectMeta {
        ObjectMeta(name: name, namespace: "shop", uid: uid, annotations: mode.map { ["kube-singleton.dev/mode": $0] })
    }

    /// Review 07 (kubectl scale deployments/web to 3) aimed at another name and uid.
    static func scaleReview(name: String, uid: String) throws -> Data {
        let text = String(decoding: try Fixtures.review("07-kubectl-scale-denied.json"), as: UTF8.self)
            .replacingOccurrences(of: "\"web\"", with: "\"\(name)\"")
            .replacingOccurrences(of: scaleUID, with: uid)
        return Data(text.utf8)
    }

    @Test("scale requests are judged from the watched cache, a GET on a miss, and a relist after 410")
    func endToEnd() async throws {
        let pki = try TestPKI.make()
        let api = FakeWorkloadAPI()
        await api.put(.deployment, Self.meta("web", uid: Self.scaleUID, mode: "at-most-one"))
        await api.put(.statefulSet, Self.meta("db", uid: "u-db", mode: "at-least-one"))
        await api.put(.deployment, Self.meta("plain", uid: "u-plain", mode: nil))
        let (apiServer, source) = try await api.serve(pki)

        let service = try await WebhookService.start(pki.settings(), source: source, logger: LogCapture().logger)
        let webhook = try await HTTPSClient.connect(
            host: "127.0.0.1", port: service.server.port, tls: try pki.clientTLS())
        try await waitFor("cache synced") { try await webhook.send(.GET, "/readyz").status == .ok }
        #expect(service.cache?.read { $0.count(.deployment) } == 2)

        // 1. Cached parent: denied, looked up in the cache.
        var answer = try ReviewAnswer.decode(
            try await webhook.review(Fixtures.review("07-kubectl-scale-denied.json")).body)
        #expect(!answer.response.allowed)
        #expect(answer.response.status?.code == 403)

        // 2. A workload created later arrives through the watch.
        await api.put(.deployment, Self.meta("late", uid: "u-late", mode: "at-most-one"))
        try await waitFor("watch delivers the new deployment") {
            service.cache?.lookup(ParentReference(kind: .deployment, namespace: "shop", name: "late")) != nil
        }
        answer = try ReviewAnswer.decode(try await webhook.review(Self.scaleReview(name: "late", uid: "u-late")).body)
        #expect(!answer.response.allowed)
        #expect(!service.metrics.render().contains("source=\"api\""))

        // 3. Not in the cache (lagging): a direct GET finds it.
        await api.hide(Self.meta("hidden", uid: "u-hidden", mode: "at-most-one"))
        answer = try ReviewAnswer.decode(
            try await webhook.review(Self.scaleReview(name: "hidden", uid: "u-hidden")).body)
        #expect(!answer.response.allowed)
        #expect(service.metrics.render().contains("singleton_webhook_parent_lookups_total{source=\"api\"} 1"))

        // 4. The Scale's uid names another object than the one of that name: unverified, allowed with a warning.
        answer = try ReviewAnswer.decode(try await webhook.review(Self.scaleReview(name: "web", uid: "u-other")).body)
        #expect(answer.response.allowed)
        #expect(answer.response.warnings?.contains { $0.contains("uid") } == true)

        // 5. A non-singleton parent is allowed without warnings.
        answer = try ReviewAnswer.decode(try await webhook.review(Self.scaleReview(name: "plain", uid: "u-plain")).body)
        #expect(answer.response.allowed)
        #expect(answer.response.warnings == nil)

        // 6. History compacted and watches closed: reconnecting gets 410, the reflectors relist.
        let listsBefore = await api.lists[.deployment] ?? 0
        await api.compact()
        await api.put(.deployment, Self.meta("after-compaction", uid: "u-ac", mode: "at-most-one"), announce: false)
        try await waitFor("relist after 410") {
            service.cache?.lookup(ParentReference(kind: .deployment, namespace: "shop", name: "after-compaction"))
                != nil
        }
        #expect((await api.lists[.deployment] ?? 0) > listsBefore)
        #expect(service.metrics.render().contains("singleton_webhook_parent_cache_relists_total{kind=\"deployments\"}"))

        await webhook.close()
        await service.shutdown()
        await apiServer.shutdown(grace: .seconds(1))
    }

    @Test("readiness flips to ready only after the first list of every kind")
    func readiness() async throws {
        let pki = try TestPKI.make()
        let source = StaticSource(objects: [:], holdLists: true)
        let service = try await WebhookService.start(pki.settings(), source: source, logger: LogCapture().logger)
        let client = try await HTTPSClient.connect(
            host: "127.0.0.1", port: service.server.port, tls: try pki.clientTLS())
        #expect(try await client.send(.GET, "/readyz").status == .serviceUnavailable)
        #expect(try await client.send(.GET, "/healthz").status == .ok)
        #expect(service.metrics.render().contains("singleton_webhook_parent_cache_synced{kind=\"deployments\"} 0"))
        await source.release()
        try await waitFor("ready") { try await client.send(.GET, "/readyz").status == .ok }
        #expect(
            service.metrics.render().contains(
                "singleton_webhook_parent_cache_synced{kind=\"replicationcontrollers\"} 1"))
        await client.close()
        await service.shutdown()
    }
}

/// `KubeMetadataSource.make` checks the kubeconfig's TLS material up front (the webhook links
/// no OpenSSL to check it at load), so `serve` refuses to start on a key that is not the
/// certificate's instead of retrying its lists forever.
@Suite("Parent lookups: TLS material checked when the source is made")
struct KubeSourceTLSCheckTests {
    func kubeconfig(_ pki: TestPKI, certificatePEM: String, keyPEM: String) throws -> String {
        let path = pki.dir.appendingPathComponent("kubeconfig").path
        let b64 = { (text: String) in Data(text.utf8).base64EncodedString() }
        try """
        apiVersion: v1
        kind: Config
        current-context: c
        clusters: [{name: k, cluster: {server: "https://127.0.0.1:1", certificate-authority-data: \(b64(pki.ca.certificatePEM))}}]
        contexts: [{name: c, context: {cluster: k, user: u}}]
        users: [{name: u, user: {client-certificate-data: \(b64(certificatePEM)), client-key-data: \(b64(keyPEM))}}]
        """.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test("a client key that is not the certificate's is refused with the reason")
    func mismatchedKey() throws {
        let pki = try TestPKI.make()
        let alice = try pki.issueClient(cn: "alice")
        let bob = try pki.issueClient(cn: "bob")
        let path = try kubeconfig(pki, certificatePEM: alice.certificatePEM, keyPEM: bob.privateKeyPEM)
        let error = #expect(throws: TransportError.self) { _ = try KubeMetadataSource.make(kubeconfig: path) }
        #expect(error?.kind == .clientCertificateInvalid)
        #expect(error.map { "\($0)" }?.contains("the client certificate or key could not be used") == true)
    }

    @Test("a matching pair makes a source (nothing is contacted yet)")
    func matchingPair() throws {
        let pki = try TestPKI.make()
        let alice = try pki.issueClient(cn: "alice")
        let path = try kubeconfig(pki, certificatePEM: alice.certificatePEM, keyPEM: alice.privateKeyPEM)
        _ = try KubeMetadataSource.make(kubeconfig: path)
    }
}
