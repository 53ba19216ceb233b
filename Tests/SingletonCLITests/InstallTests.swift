import Foundation
import KubeCertificates
@testable import SingletonCLI
import SingletonCore
import Testing

@Suite struct InstallTests {
    @Test func clientDryRunPrintsCustomisedManifestsWithoutACluster() async throws {
        let run = await runPlugin(["install", "-n", "guard", "--image", "example.com/webhook:dev", "--failure-policy-scale", "Fail",
                                   "--dry-run=client", "-o", "yaml"])
        #expect(run.code == 0, "\(run.err)")
        let docs = try YAMLBridge.documents(run.out)
        let kinds = docs.compactMap { $0["kind"]?.stringValue }
        #expect(kinds.first == "Namespace" && kinds.last == "ValidatingWebhookConfiguration")
        #expect(kinds.contains("Secret") && !kinds.contains("Certificate"))
        #expect(docs.first?[path: "metadata", "name"] == "guard")
        let deployment = try #require(docs.first { $0["kind"] == "Deployment" })
        #expect(deployment[path: "metadata", "namespace"] == "guard")
        #expect(deployment[path: "spec", "template", "spec", "containers"]?.arrayValue?.first?["image"] == "example.com/webhook:dev")
        let config = try #require(docs.last)
        let hooks = try #require(config["webhooks"]?.arrayValue)
        #expect(hooks.map { $0["failurePolicy"] } == ["Fail", "Fail"])
        #expect(hooks.allSatisfy { $0[path: "clientConfig", "service", "namespace"] == "guard" })
        #expect(hooks.first?[path: "namespaceSelector", "matchExpressions"]?.arrayValue?.first?["values"] == ["kube-system", "guard"])

        // The generated serving certificate is signed by the caBundle and names the Service.
        let secret = try #require(docs.first { $0["kind"] == "Secret" })
        func pem(_ v: JSONValue?) throws -> String {
            try #require(v?.stringValue.flatMap { Data(base64Encoded: $0) }.flatMap { String(data: $0, encoding: .utf8) })
        }
        let cert = try pem(secret[path: "data", "tls.crt"])
        let bundle = try pem(hooks.first?[path: "clientConfig", "caBundle"])
        #expect(try CertificateFactory.isSigned(certificatePEM: cert, byAnyOf: bundle))
        #expect(try CertificateFactory.matches(certificatePEM: cert, host: "singleton-webhook.guard.svc"))
        #expect(try CertificateFactory.keyMatches(certificatePEM: cert, privateKeyPEM: try pem(secret[path: "data", "tls.key"])))
        let info = try CertificateFactory.inspect(certificatePEM: cert)
        #expect(abs(info.notAfter.timeIntervalSince(info.notBefore) - 365 * 86400) < 86400 * 2)
    }

    @Test func certManagerVariantKeepsIssuerAndInjectsCA() async throws {
        let run = await runPlugin(["install", "--cert-manager", "--dry-run=client", "-o", "yaml"])
        let docs = try YAMLBridge.documents(run.out)
        #expect(docs.contains { $0["kind"] == "Certificate" })
        #expect(!docs.contains { $0["kind"] == "Secret" })
        let config = try #require(docs.first { $0["kind"] == "ValidatingWebhookConfiguration" })
        #expect(config[path: "metadata", "annotations", "cert-manager.io/inject-ca-from"] == "singleton-system/singleton-webhook")
        #expect(config[path: "metadata", "labels", "app.kubernetes.io/managed-by"] == "kubectl-singleton")
    }

    @Test func installIsIdempotentAndUninstallRemovesOnlyItsObjects() async throws {
        let api = FakeAPI()
        let first = await runPlugin(["install"], connector: api)
        #expect(first.code == 0, "\(first.err)")
        #expect(first.out.contains("validatingwebhookconfiguration.admissionregistration.k8s.io/kube-singleton created"))
        #expect(first.out.contains("secret/singleton-webhook-tls created"))
        let posts = api.writes.filter { $0.verb == "POST" }.map(\.path)
        #expect(posts.first == "/api/v1/namespaces" && posts.last == "/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations")
        let bundle = api.object("/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations/kube-singleton")?["webhooks"]

        let writes = api.writes.count
        let second = await runPlugin(["install"], connector: api)
        #expect(second.code == 0, "\(second.err)")
        #expect(api.writes.count == writes, "a rerun keeps the valid certificate and changes nothing")
        #expect(api.object("/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations/kube-singleton")?["webhooks"] == bundle)

        // Someone else's object of the same name is never deleted.
        api.seed("/api/v1/namespaces/singleton-system/configmaps", ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "keep", "namespace": "singleton-system"]])
        _ = try await api.patch("/apis/policy/v1/namespaces/singleton-system/poddisruptionbudgets/singleton-webhook",
                                ["metadata": ["labels": ["app.kubernetes.io/managed-by": "helm"]]], type: .merge, dryRun: .none)
        let uninstall = await runPlugin(["uninstall"], connector: api)
        #expect(uninstall.code == 0, "\(uninstall.err)")
        let deletes = api.writes.filter { $0.verb == "DELETE" }.map(\.path)
        #expect(deletes.first == "/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations/kube-singleton")
        #expect(deletes.last == "/api/v1/namespaces/singleton-system")
        #expect(uninstall.out.contains("poddisruptionbudget.policy/singleton-webhook left alone (not managed by kubectl-singleton)"))
        #expect(api.object("/apis/policy/v1/namespaces/singleton-system/poddisruptionbudgets/singleton-webhook") != nil)
        #expect(api.object("/apis/apps/v1/namespaces/singleton-system/deployments/singleton-webhook") == nil)
    }

    @Test func doctorFindsMissingEndpointsAndChecksTheCertificate() async throws {
        let api = FakeAPI()
        _ = await runPlugin(["install"], connector: api)
        let run = await runPlugin(["doctor"], connector: api, now: Date())
        #expect(run.code == 1)
        #expect(run.out.hasPrefix("STATUS   CHECK"))
        #expect(run.out.contains("OK       caBundle                workloads.kube-singleton.dev: caBundle signs the serving certificate"))
        #expect(run.out.contains("FAIL     endpoints"))
        #expect(run.out.contains("OK       scale rules"))
        #expect(run.out.contains("expires in 36"))
        #expect(!run.out.contains("your RBAC"), "the fake answers no SelfSubjectAccessReview: unknown, not denied")

        api.seed("/api/v1/namespaces/singleton-system/endpoints", ["apiVersion": "v1", "kind": "Endpoints",
            "metadata": ["name": "singleton-webhook", "namespace": "singleton-system"], "subsets": [["addresses": [["ip": "10.0.0.7"]]]]])
        // A caBundle from another CA is caught.
        let other = try CertificateFactory.makeCA(commonName: "other")
        var config = try #require(api.object("/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations/kube-singleton"))
        config["webhooks"] = .array((config["webhooks"]?.arrayValue ?? []).map { hook in
            hook.applyingMergePatch(["clientConfig": ["caBundle": .string(Data(other.certificatePEM.utf8).base64EncodedString())]])
        })
        api.seed("/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations", config)
        let again = await runPlugin(["doctor", "-o", "json"], connector: api, now: Date())
        let findings = try JSONValue.parse(Data(again.out.utf8)).arrayValue ?? []
        #expect(findings.contains { $0["check"] == "endpoints" && $0["status"] == "OK" })
        #expect(findings.contains { $0["check"] == "caBundle" && $0["status"] == "FAIL" && ($0["fix"]?.stringValue ?? "").contains("install") })
    }

    @Test func doctorWithoutWebhook() async {
        let run = await runPlugin(["doctor"], connector: FakeAPI())
        #expect(run.code == 1)
        #expect(run.out.contains("FAIL     webhook configuration   ValidatingWebhookConfiguration kube-singleton not found"))
        #expect(run.out.contains("Fix: kubectl singleton install"))
    }
}
