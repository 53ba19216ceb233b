import Foundation
import KubeAPIMachinery
import KubeCertificates
@testable import SingletonCLI
import SingletonCore
import Testing

/// Table output with runs of spaces collapsed, so expectations do not depend on column widths.
func squeezed(_ s: String) -> String { s.replacingOccurrences(of: " +", with: " ", options: .regularExpression) }

@Suite struct InstallTests {
    @Test func clientDryRunPrintsCustomisedManifestsWithoutACluster() async throws {
        let run = await runPlugin([
            "install", "-n", "guard", "--image", "example.com/webhook:dev", "--failure-policy-scale", "Fail",
            "--dry-run=client", "-o", "yaml",
        ])
        #expect(run.code == 0, "\(run.err)")
        let docs = try YAMLBridge.documents(run.out)
        let kinds = docs.compactMap { $0["kind"]?.stringValue }
        #expect(kinds.first == "Namespace" && kinds.last == "ValidatingWebhookConfiguration")
        #expect(kinds.contains("Secret") && !kinds.contains("Certificate"))
        #expect(docs.first?[path: "metadata", "name"] == "guard")
        let deployment = try #require(docs.first { $0["kind"] == "Deployment" })
        #expect(deployment[path: "metadata", "namespace"] == "guard")
        #expect(
            deployment[path: "spec", "template", "spec", "containers"]?.arrayValue?.first?["image"]
                == "example.com/webhook:dev")
        let config = try #require(docs.last)
        let hooks = try #require(config["webhooks"]?.arrayValue)
        #expect(hooks.map { $0["failurePolicy"] } == ["Fail", "Fail", "Fail", "Fail", "Fail", "Ignore"])
        #expect(hooks.allSatisfy { $0[path: "clientConfig", "service", "namespace"] == "guard" })
        #expect(
            hooks.first?[path: "namespaceSelector", "matchExpressions"]?.arrayValue?.first?["values"] == [
                "kube-system", "guard",
            ])

        // The generated serving certificate is signed by the caBundle and names the Service.
        let secret = try #require(docs.first { $0["kind"] == "Secret" })
        func pem(_ v: JSONValue?) throws -> String {
            try #require(
                v?.stringValue.flatMap { Data(base64Encoded: $0) }.flatMap { String(data: $0, encoding: .utf8) })
        }
        let cert = try pem(secret[path: "data", "tls.crt"])
        let bundle = try pem(hooks.first?[path: "clientConfig", "caBundle"])
        #expect(try CertificateFactory.isSigned(certificatePEM: cert, byAnyOf: bundle))
        #expect(try CertificateFactory.matches(certificatePEM: cert, host: "singleton-webhook.guard.svc"))
        #expect(
            try CertificateFactory.keyMatches(
                certificatePEM: cert, privateKeyPEM: try pem(secret[path: "data", "tls.key"])))
        let info = try CertificateFactory.inspect(certificatePEM: cert)
        #expect(abs(info.notAfter.timeIntervalSince(info.notBefore) - 365 * 86400) < 86400 * 2)
    }

    @Test func certManagerVariantKeepsIssuerAndInjectsCA() async throws {
        let run = await runPlugin(["install", "--cert-manager", "--dry-run=client", "-o", "yaml"])
        let docs = try YAMLBridge.documents(run.out)
        #expect(docs.contains { $0["kind"] == "Certificate" })
        #expect(!docs.contains { $0["kind"] == "Secret" })
        let config = try #require(docs.first { $0["kind"] == "ValidatingWebhookConfiguration" })
        #expect(
            config[path: "metadata", "annotations", "cert-manager.io/inject-ca-from"]
                == "singleton-system/singleton-webhook")
        #expect(config[path: "metadata", "labels", "app.kubernetes.io/managed-by"] == "kubectl-singleton")
    }

    @Test func installIsIdempotentAndUninstallRemovesOnlyItsObjects() async throws {
        let api = FakeAPI()
        let first = await runPlugin(["install", "--wait=false"], connector: api)
        #expect(first.code == 0, "\(first.err)")
        #expect(
            first.out.contains("validatingwebhookconfiguration.admissionregistration.k8s.io/kube-singleton created"))
        #expect(first.out.contains("secret/singleton-webhook-tls created"))
        #expect(
            first.err.contains(
                "Warning: --wait=false: the webhook configuration is registered without checking that the webhook answers"
            ))
        let posts = api.objectWrites.filter { $0.verb == "POST" }.map(\.path)
        #expect(
            posts.first == "/api/v1/namespaces"
                && posts.last == "/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations")
        let bundle = api.object(
            "/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations/kube-singleton")?["webhooks"]

        let writes = api.objectWrites.count
        let second = await runPlugin(["install", "--wait=false"], connector: api)
        #expect(second.code == 0, "\(second.err)")
        #expect(api.objectWrites.count == writes, "a rerun keeps the valid certificate and changes nothing")
        #expect(
            api.object("/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations/kube-singleton")?[
                "webhooks"] == bundle)

        // Someone else's object of the same name is never deleted.
        api.seed(
            "/api/v1/namespaces/singleton-system/configmaps",
            ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "keep", "namespace": "singleton-system"]])
        _ = try await api.patch(
            "/apis/policy/v1/namespaces/singleton-system/poddisruptionbudgets/singleton-webhook",
            ["metadata": ["labels": ["app.kubernetes.io/managed-by": "helm"]]], type: .merge, dryRun: .none)
        let uninstall = await runPlugin(["uninstall"], connector: api)
        #expect(uninstall.code == 0, "\(uninstall.err)")
        let deletes = api.writes.filter { $0.verb == "DELETE" }.map(\.path)
        #expect(deletes.first == "/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations/kube-singleton")
        #expect(deletes.last == "/api/v1/namespaces/singleton-system")
        #expect(
            uninstall.out.contains(
                "poddisruptionbudget.policy/singleton-webhook left alone (not managed by kubectl-singleton)"))
        #expect(api.object("/apis/policy/v1/namespaces/singleton-system/poddisruptionbudgets/singleton-webhook") != nil)
        #expect(api.object("/apis/apps/v1/namespaces/singleton-system/deployments/singleton-webhook") == nil)
    }

    @Test func doctorFindsMissingEndpointsAndChecksTheCertificate() async throws {
        let api = FakeAPI()
        _ = await runPlugin(["install", "--wait=false"], connector: api)
        let run = await runPlugin(["doctor"], connector: api, now: Date())
        #expect(run.code == 1)
        #expect(squeezed(run.out).hasPrefix("STATUS CHECK"))
        #expect(
            squeezed(run.out).contains(
                squeezed(
                    "OK       caBundle                workloads.kube-singleton.dev: caBundle signs the serving certificate"
                )))
        #expect(squeezed(run.out).contains(squeezed("FAIL     endpoints")))
        #expect(squeezed(run.out).contains(squeezed("OK       scale rules")))
        #expect(run.out.contains("expires in 36"))
        #expect(
            squeezed(run.out).contains(
                squeezed("UNKNOWN  your RBAC               the API server answered no SelfSubjectAccessReview")),
            "unknown, not denied: \(run.out)")

        api.seed(
            "/api/v1/namespaces/singleton-system/endpoints",
            [
                "apiVersion": "v1", "kind": "Endpoints",
                "metadata": ["name": "singleton-webhook", "namespace": "singleton-system"],
                "subsets": [["addresses": [["ip": "10.0.0.7"]]]],
            ])
        // A caBundle from another CA is caught.
        let other = try CertificateFactory.makeCA(commonName: "other")
        var config = try #require(
            api.object("/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations/kube-singleton"))
        config["webhooks"] = .array(
            (config["webhooks"]?.arrayValue ?? []).map { hook in
                hook.applyingMergePatch([
                    "clientConfig": ["caBundle": .string(Data(other.certificatePEM.utf8).base64EncodedString())]
                ])
            })
        api.seed("/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations", config)
        let again = await runPlugin(["doctor", "-o", "json"], connector: api, now: Date())
        let findings = try JSONValue.parse(Data(again.out.utf8)).arrayValue ?? []
        #expect(findings.contains { $0["check"] == "endpoints" && $0["status"] == "OK" })
        #expect(
            findings.contains {
                $0["check"] == "caBundle" && $0["status"] == "FAIL"
                    && ($0["fix"]?.stringValue ?? "").contains("install")
            })
    }

    @Test func doctorWithoutWebhook() async {
        let run = await runPlugin(["doctor"], connector: FakeAPI())
        #expect(run.code == 1)
        #expect(
            squeezed(run.out).contains(
                squeezed("FAIL     webhook configuration   ValidatingWebhookConfiguration kube-singleton not found")))
        #expect(run.out.contains("Fix: kubectl singleton install"))
    }

    static let configurationPath = "/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations"

    /// cert-manager's API group as discovery serves it.
    static func seedCertManager(_ api: FakeAPI) {
        api.seed(
            "/apis/cert-manager.io",
            [
                "kind": "APIResourceList", "groupVersion": "cert-manager.io/v1", "metadata": ["name": "v1"],
                "resources": [
                    ["name": "issuers", "kind": "Issuer"], ["name": "certificates", "kind": "Certificate"],
                ],
            ])
    }

    @Test func certManagerInstallWithoutCertManagerCreatesNothing() async {
        let api = FakeAPI()
        let run = await runPlugin(["install", "--cert-manager"], connector: api)
        #expect(run.code == 1)
        #expect(
            run.err.contains(
                "cert-manager is not installed: the API server does not serve issuers.cert-manager.io and certificates.cert-manager.io"
            ), "\(run.err)")
        #expect(run.err.contains("nothing was created"))
        #expect(api.objectWrites.isEmpty, "\(api.objectWrites.map(\.path))")
    }

    @Test func deniedAccessIsRefusedBeforeAnythingIsCreated() async {
        let api = FakeAPI()
        api.accessReviews { attributes in attributes["resource"] != "validatingwebhookconfigurations" }
        let run = await runPlugin(["install"], connector: api)
        #expect(run.code == 1)
        #expect(
            run.err.contains("you may not create validatingwebhookconfigurations.admissionregistration.k8s.io"),
            "\(run.err)")
        #expect(api.objectWrites.isEmpty)
    }

    @Test func theWebhookConfigurationWaitsForTheCertificateAndTheWebhook() async throws {
        let api = FakeAPI()
        Self.seedCertManager(api)
        // cert-manager is there but issues nothing: every other object is created, the configuration is not.
        let run = await runPlugin(["install", "--cert-manager", "--timeout", "1s"], connector: api)
        #expect(run.code == 1)
        #expect(
            run.out.contains("certificate.cert-manager.io/singleton-webhook created")
                || run.out.contains("certificate/singleton-webhook created"), "\(run.out)")
        #expect(
            run.err.contains(
                "validatingwebhookconfiguration.admissionregistration.k8s.io/kube-singleton: not created: the webhook is not ready after 1s: secret/singleton-webhook-tls holds no certificate yet"
            ), "\(run.err)")
        #expect(!api.objectWrites.contains { $0.path.hasPrefix(Self.configurationPath) })

        // The certificate is issued, but no webhook pod is ready yet.
        let ca = try CertificateFactory.makeCA(commonName: "cert-manager-ca")
        func b64(_ s: String) -> JSONValue { .string(Data(s.utf8).base64EncodedString()) }
        api.seed(
            "/api/v1/namespaces/singleton-system/secrets",
            [
                "apiVersion": "v1", "kind": "Secret",
                "metadata": ["name": "singleton-webhook-tls", "namespace": "singleton-system"],
                "data": ["tls.crt": b64(ca.certificatePEM), "tls.key": b64("key"), "ca.crt": b64(ca.certificatePEM)],
            ])
        let notReady = await runPlugin(["install", "--cert-manager", "--timeout", "1s"], connector: api)
        #expect(notReady.code == 1)
        #expect(notReady.err.contains("deployment.apps/singleton-webhook has no available replica"), "\(notReady.err)")
        #expect(!api.objectWrites.contains { $0.path.hasPrefix(Self.configurationPath) })

        // Ready: the configuration is created, with the issued CA as its caBundle.
        _ = try await api.patch(
            "/apis/apps/v1/namespaces/singleton-system/deployments/singleton-webhook",
            ["status": ["availableReplicas": 1]], type: .merge, dryRun: .none)
        let ready = await runPlugin(["install", "--cert-manager"], connector: api)
        #expect(ready.code == 0, "\(ready.err)")
        #expect(
            ready.out.contains("validatingwebhookconfiguration.admissionregistration.k8s.io/kube-singleton created"))
        let config = try #require(api.object("\(Self.configurationPath)/kube-singleton"))
        #expect(
            config["webhooks"]?.arrayValue?.allSatisfy {
                $0[path: "clientConfig", "caBundle"] == b64(ca.certificatePEM)
            } == true)
    }

    @Test func aFailedStepLeavesNoWebhookConfiguration() async {
        let api = FakeAPI()
        api.fail(
            "POST", "/apis/apps/v1/namespaces/singleton-system/deployments",
            with: KubeAPIError(code: 403, reason: "Forbidden", message: "deployments.apps is forbidden"))
        let run = await runPlugin(["install", "--wait=false"], connector: api)
        #expect(run.code == 1)
        #expect(
            run.err.contains(
                "validatingwebhookconfiguration.admissionregistration.k8s.io/kube-singleton: not created: a webhook configuration must not point at a webhook that is not fully installed"
            ), "\(run.err)")
        #expect(!api.objectWrites.contains { $0.path.hasPrefix(Self.configurationPath) })
    }

    @Test func uninstallStopsWhenTheWebhookConfigurationCannotBeDeleted() async {
        let api = FakeAPI()
        _ = await runPlugin(["install", "--wait=false"], connector: api)
        api.fail(
            "DELETE", "\(Self.configurationPath)/kube-singleton",
            with: KubeAPIError(code: 403, reason: "Forbidden", message: "forbidden"))
        let run = await runPlugin(["uninstall"], connector: api)
        #expect(run.code == 1)
        #expect(
            run.err.contains(
                "not deleted: the webhook configuration could not be deleted, and the webhook must keep answering it"),
            "\(run.err)")
        #expect(!api.writes.contains { $0.verb == "DELETE" && $0.path != "\(Self.configurationPath)/kube-singleton" })
        #expect(api.object("/apis/apps/v1/namespaces/singleton-system/deployments/singleton-webhook") != nil)
    }

    @Test(arguments: [
        (
            KubeAPIError(
                code: 0, reason: "",
                message: "Unable to connect to the server https://10.0.0.1:6443: connection refused"),
            "FAIL     API server              Unable to connect to the server https://10.0.0.1:6443"
        ),
        (
            KubeAPIError(code: 401, reason: "Unauthorized", message: "Unauthorized"),
            "FAIL     API server              the API server refused your credentials (401 Unauthorized)"
        ),
        (
            KubeAPIError(
                code: 403, reason: "Forbidden",
                message: "validatingwebhookconfigurations.admissionregistration.k8s.io \"kube-singleton\" is forbidden"),
            "FAIL     permissions             you may not read validatingwebhookconfigurations.admissionregistration.k8s.io (403 Forbidden)"
        ),
    ])
    func doctorNamesAnAPIErrorAndNeverAdvisesInstallingOnIt(_ failure: KubeAPIError, _ line: String) async {
        let api = FakeAPI()
        api.fail("GET", "\(Self.configurationPath)/kube-singleton", with: failure)
        let run = await runPlugin(["doctor"], connector: api)
        #expect(run.code == 1)
        #expect(squeezed(run.out).contains(squeezed(line)), "\(run.out)")
        #expect(!run.out.contains("install"), "\(run.out)")
    }

    @Test func doctorDoesNotAdviseReinstallingWhenTheSecretIsUnreadable() async {
        let api = FakeAPI()
        _ = await runPlugin(["install", "--wait=false"], connector: api)
        api.fail(
            "GET", "/api/v1/namespaces/singleton-system/secrets/singleton-webhook-tls",
            with: KubeAPIError(
                code: 403, reason: "Forbidden", message: "secrets \"singleton-webhook-tls\" is forbidden"))
        let run = await runPlugin(["doctor"], connector: api, now: Date())
        #expect(
            squeezed(run.out).contains(
                squeezed(
                    "UNKNOWN  serving certificate     cannot read the TLS Secret: you may not read secrets in singleton-system (403 Forbidden)"
                )), "\(run.out)")
        #expect(!run.out.contains("install --self-signed"))
    }
}
