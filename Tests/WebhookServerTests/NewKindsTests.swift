import Foundation
import HTTPSServerKit
import KubeClient
import SingletonCore
import Testing
import TestSupport
@testable import WebhookServer

/// CronJobs, Jobs, Argo Rollouts and KEDA ScaledObjects over real TLS, with real
/// AdmissionReview bodies (examples/reviews 10 to 14), and the parent cache with and
/// without the Argo Rollouts CRD.
@Suite("new kinds over real TLS")
struct NewKindsTests {
    static let parentUID = "6a3e1f0c-9d2b-4b7e-8c1a-2f4d5e6a7b8c"  // examples/reviews: shop/web

    /// Review 07 (kubectl scale deployments/web to 3) as a `kubectl scale rollout/web`.
    static func rolloutScaleReview() throws -> Data {
        var review = try #require(
            try JSONSerialization.jsonObject(with: Fixtures.review("07-kubectl-scale-denied.json")) as? [String: Any])
        var request = try #require(review["request"] as? [String: Any])
        let resource = ["group": "argoproj.io", "version": "v1alpha1", "resource": "rollouts"]
        request["resource"] = resource
        request["requestResource"] = resource
        review["request"] = request
        return try JSONSerialization.data(withJSONObject: review)
    }

    static func answer(_ client: HTTPSClient, _ body: Data) async throws -> ReviewAnswer.Response {
        let response = try await client.review(body)
        #expect(response.status == .ok)
        return try ReviewAnswer.decode(response.body).response
    }

    @Test("each new rule decides a real review over TLS, with its message")
    func verdicts() async throws {
        let pki = try TestPKI.make()
        let parent = try Workload.decode(Fixtures.review("parent-web.json")).metadata
        let source = StaticSource(objects: [.deployment: [parent], .rollout: [parent]])
        let service = try await WebhookService.start(pki.settings(), source: source, logger: LogCapture().logger)
        let client = try await HTTPSClient.connect(
            host: "127.0.0.1", port: service.server.port, tls: try pki.clientTLS())
        try await waitFor("cache synced") { service.cache?.isSynced == true }

        let cron = try await Self.answer(client, Fixtures.review("10-cronjob-default-policy-denied.json"))
        #expect(!cron.allowed && cron.status?.code == 403)
        #expect(
            cron.status?.message
                == "CronJob shop/report is a singleton (kube-singleton.dev/mode=at-most-one), but spec.concurrencyPolicy is Allow (the default): a new Job starts while the previous one still runs. Set spec.concurrencyPolicy: Forbid, or use mode at-least-one if a brief overlap is acceptable; at-most-one accepts Forbid."
        )
        #expect(cron.warnings?.first?.contains("sets no spec.startingDeadlineSeconds") == true)

        let forbid = try await Self.answer(client, Fixtures.review("11-cronjob-forbid-allowed.json"))
        #expect(forbid.allowed && forbid.warnings == nil)

        let job = try await Self.answer(client, Fixtures.review("12-job-parallelism-denied.json"))
        #expect(!job.allowed)
        #expect(job.status?.message?.hasPrefix("Job shop/reindex is a singleton") == true)
        #expect(job.status?.message?.contains("spec.parallelism is 4") == true)

        let blueGreen = try await Self.answer(client, Fixtures.review("13-rollout-blue-green-denied.json"))
        #expect(!blueGreen.allowed)
        #expect(
            blueGreen.status?.message?.contains(
                "its blueGreen strategy runs the preview and the active ReplicaSet side by side") == true)

        let scale = try await Self.answer(client, try Self.rolloutScaleReview())
        #expect(!scale.allowed)
        #expect(
            scale.status?.message?.hasPrefix(
                "Rollout shop/web is a singleton (kube-singleton.dev/mode=at-least-one): scaling to 3 replicas is denied."
            )
                == true)

        let keda = try await Self.answer(client, Fixtures.review("14-keda-default-max-denied.json"))
        #expect(!keda.allowed)
        #expect(
            keda.status?.message
                == "ScaledObject shop/web-queue targets Deployment shop/web, a singleton (kube-singleton.dev/mode=at-least-one), with maxReplicaCount 100 (KEDA's default when unset). Set spec.maxReplicaCount to 1, or remove the annotation kube-singleton.dev/mode from Deployment shop/web to let it scale."
        )
        // The Rollout's scale and the ScaledObject's target were both answered from the cache.
        let metrics = service.metrics.render()
        #expect(metrics.contains("singleton_webhook_parent_lookups_total{source=\"cache\"} 2"), "\(metrics)")
        #expect(metrics.contains("rule=\"scaledobject\""))
        #expect(metrics.contains("rule=\"concurrency-policy\""))
        await client.close()
        await service.shutdown()
    }

    @Test("without the Argo Rollouts CRD the webhook is ready; a CRD installed later is picked up")
    func rolloutCRDInstalledLater() async throws {
        let pki = try TestPKI.make()
        let api = FakeWorkloadAPI()
        await api.uninstall(.rollout)
        await api.put(.deployment, ObjectMeta(name: "db", namespace: "shop", uid: "u-db"))
        let (apiServer, source) = try await api.serve(pki)
        var settings = pki.settings()
        settings.notInstalledRetry = .milliseconds(200)
        let service = try await WebhookService.start(settings, source: source, logger: LogCapture().logger)
        let webhook = try await HTTPSClient.connect(
            host: "127.0.0.1", port: service.server.port, tls: try pki.clientTLS())
        try await waitFor("ready without the Rollout CRD") { try await webhook.send(.GET, "/readyz").status == .ok }
        try await waitFor("rollouts marked not installed") { service.cache?.isNotInstalled(.rollout) == true }
        // Asked again slowly, not in a tight loop.
        let before = await api.lists[.rollout] ?? 0
        try await Task.sleep(for: .milliseconds(500))
        let after = await api.lists[.rollout] ?? 0
        #expect(after - before <= 4, "\(after - before) lists of an absent CRD in 0.5 s")

        // A scale of a Rollout the cache does not hold falls back to a GET, as an HPA target does.
        var answer = try await Self.answer(webhook, try Self.rolloutScaleReview())
        #expect(answer.allowed, "no Rollout to protect: unverified, allowed by default")
        #expect(answer.warnings?.first?.contains("could not verify whether Rollout shop/web is a singleton") == true)
        #expect(service.metrics.render().contains("source=\"api\""))

        // The CRD arrives, and with it a singleton Rollout: the cache lists it and judges from it.
        await api.install(.rollout)
        await api.put(
            .rollout,
            ObjectMeta(
                name: "web", namespace: "shop", uid: Self.parentUID,
                annotations: ["kube-singleton.dev/mode": "at-most-one"]))
        try await waitFor("the Rollout CRD picked up") {
            service.cache?.lookup(ParentReference(kind: .rollout, namespace: "shop", name: "web")) != nil
        }
        #expect(service.cache?.isNotInstalled(.rollout) == false)
        answer = try await Self.answer(webhook, try Self.rolloutScaleReview())
        #expect(!answer.allowed)
        #expect(
            answer.status?.message?.hasPrefix("Rollout shop/web is a singleton (kube-singleton.dev/mode=at-most-one)")
                == true)
        #expect(try await webhook.send(.GET, "/readyz").status == .ok)
        await webhook.close()
        await service.shutdown()
        await apiServer.shutdown(grace: .seconds(1))
    }
}
