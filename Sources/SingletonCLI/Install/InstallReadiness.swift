import Foundation
import KubeAPIMachinery
import SingletonCore

/// What `install` checks before it creates anything, and what it waits for before it
/// registers the webhook configuration: a configuration whose webhook does not answer
/// (failurePolicy Fail) refuses every change to a singleton, so it is created last, and
/// only once the webhook can answer.
enum InstallReadiness {
    /// `verb` on `resource.group` in `namespace` ("" for cluster-scoped), answered by a
    /// SelfSubjectAccessReview; nil when the API does not answer reviews (unknown, not denied).
    static func mayI(
        _ api: any KubeAPI, _ verb: String, group: String, resource: String, namespace: String
    ) async -> Bool? {
        var attributes: JSONValue = ["verb": .string(verb), "group": .string(group), "resource": .string(resource)]
        if !namespace.isEmpty { attributes["namespace"] = .string(namespace) }
        let review: JSONValue = [
            "apiVersion": "authorization.k8s.io/v1", "kind": "SelfSubjectAccessReview",
            "spec": ["resourceAttributes": attributes],
        ]
        guard
            let answer = try? await api.create(
                "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews", review, dryRun: .none)
        else { return nil }
        return answer[path: "status", "allowed"]?.boolValue
    }

    /// Refuses, before anything is created, when cert-manager is needed and absent, or when
    /// the user may not create one of the plan's kinds.
    static func preflight(_ api: any KubeAPI, plan: InstallPlan, certManager: Bool) async throws {
        if certManager {
            let served: JSONValue?
            do {
                served = try await getIfExists(api, "/apis/cert-manager.io/v1")
            } catch {
                throw CLIError("cannot check for cert-manager: \(describe(error)); nothing was created")
            }
            let resources = Set((served?["resources"]?.arrayValue ?? []).compactMap { $0["name"]?.stringValue })
            let missing = ["issuers", "certificates"].filter { !resources.contains($0) }
            if !missing.isEmpty {
                throw CLIError(
                    """
                    cert-manager is not installed: the API server does not serve \(missing.map { "\($0).cert-manager.io" }.joined(separator: " and ")) \
                    (the cert-manager CRDs); nothing was created. Install cert-manager (https://cert-manager.io/docs/installation/) \
                    and rerun, or install with --self-signed
                    """)
            }
        }
        var denied: [String] = []
        for object in plan.objects {
            guard let (group, resource, namespaced) = ResourcePaths.resource(for: object) else { continue }
            let namespace = namespaced ? object.namespace : ""
            let label = group.isEmpty ? resource : "\(resource).\(group)"
            if await mayI(api, "create", group: group, resource: resource, namespace: namespace) == false,
                !denied.contains(label)
            {
                denied.append(label)
            }
        }
        if !denied.isEmpty {
            throw CLIError(
                "you may not create \(denied.joined(separator: ", ")) (SelfSubjectAccessReview); nothing was created. Install as a cluster administrator"
            )
        }
    }

    /// Waits until the serving certificate exists (cert-manager writes it into the Secret)
    /// and the webhook Deployment has an available replica (its readiness probe calls
    /// `/readyz` over TLS with that certificate). Returns the CA to put in the caBundle
    /// (cert-manager mode), or throws what is still missing at the deadline.
    static func waitForWebhook(
        _ api: any KubeAPI, plan: InstallPlan, namespace: String, timeout: Duration, timeoutText: String,
        poll: Duration = .seconds(1)
    ) async throws -> String? {
        let deadline = ContinuousClock.now + timeout
        let secretPath = "/api/v1/namespaces/\(namespace)/secrets/\(plan.secretName)"
        let deploymentName =
            plan.objects.first { $0["kind"] == "Deployment" }?[path: "metadata", "name"]?.stringValue
            ?? "singleton-webhook"
        let deploymentPath = "/apis/apps/v1/namespaces/\(namespace)/deployments/\(deploymentName)"
        while true {
            var missing: String
            let secret = try? await getIfExists(api, secretPath)
            if let certificate = secret?[path: "data", "tls.crt"]?.stringValue, !certificate.isEmpty {
                let ca = secret?[path: "data", "ca.crt"]?.stringValue.flatMap { Data(base64Encoded: $0) }.flatMap {
                    String(data: $0, encoding: .utf8)
                }
                let deployment = try? await getIfExists(api, deploymentPath)
                let available = deployment?[path: "status", "availableReplicas"]?.intValue ?? 0
                if available > 0 { return ca }
                missing =
                    "deployment.apps/\(deploymentName) has no available replica (its pods are not ready: check `kubectl -n \(namespace) get pods -l app.kubernetes.io/name=kube-singleton`)"
            } else {
                missing =
                    "secret/\(plan.secretName) holds no certificate yet (with --cert-manager: check `kubectl -n \(namespace) describe certificate`)"
            }
            if ContinuousClock.now >= deadline {
                throw CLIError("the webhook is not ready after \(timeoutText): \(missing)")
            }
            try await Task.sleep(for: min(poll, deadline - ContinuousClock.now))
        }
    }

    static func describe(_ error: any Error) -> String {
        (error as? KubeAPIError)?.description ?? "\(error)"
    }
}
