import KubeAPIMachinery
import SingletonCore

/// `doctor`'s probe when no endpoint of the webhook Service is visible: a dry-run create
/// (nothing is stored) of an annotated Deployment with 2 replicas. The API server calls
/// the webhook for it exactly as for a real change, so the answer shows whether the whole
/// path works: Service routing, TLS against the caBundle, and a decision.
enum WebhookProbeRequest {
    static let name = "kube-singleton-doctor-probe"

    static func send(_ api: any KubeAPI, avoiding excluded: [String]) async -> WebhookProbe {
        // The webhook skips its own namespace and kube-system: probe in another one.
        let namespace = excluded.contains(api.defaultNamespace) ? "default" : api.defaultNamespace
        let labels: JSONValue = ["app.kubernetes.io/name": .string(name)]
        let probe: JSONValue = [
            "apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": [
                "name": .string(name), "namespace": .string(namespace),
                "annotations": [SingletonAnnotation.mode: "at-least-one"],
            ],
            "spec": [
                "replicas": 2, "selector": ["matchLabels": labels],
                "template": [
                    "metadata": ["labels": labels],
                    "spec": ["containers": [["name": "probe", "image": "registry.k8s.io/pause:3.10"]]],
                ],
            ],
        ]
        do {
            _ = try await api.create("/apis/apps/v1/namespaces/\(namespace)/deployments", probe, dryRun: .server)
            return .notCalled("a dry-run create of an annotated Deployment with 2 replicas in \(namespace) was allowed")
        } catch {
            if error.message.contains("kube-singleton.dev\" denied the request") { return .answered }
            if error.message.contains("failed calling webhook") { return .failed(error.message) }
            return .unknown(error.description)
        }
    }
}
