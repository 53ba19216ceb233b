import Foundation

/// The configuration a pod gets for free: service-account token, cluster CA and the
/// `KUBERNETES_SERVICE_HOST` / `_PORT` variables.
///
/// Why: the webhook runs in the cluster without a kubeconfig; kubectl falls back to this too.
public enum InClusterConfig {
    /// Where the kubelet mounts the service account.
    public static let defaultDirectory = "/var/run/secrets/kubernetes.io/serviceaccount"

    /// True when the environment says we run in a pod.
    static func isAvailable(environment: [String: String]) -> Bool {
        !(environment["KUBERNETES_SERVICE_HOST"] ?? "").isEmpty
            && !(environment["KUBERNETES_SERVICE_PORT"] ?? "").isEmpty
    }

    /// Builds the configuration; the token file is re-read as it rotates (`AuthMethod.tokenFile`).
    static func load(
        environment: [String: String], directory: String,
        options: KubeConfigOptions
    ) throws -> ClientConfig {
        guard let host = environment["KUBERNETES_SERVICE_HOST"], !host.isEmpty,
            let port = environment["KUBERNETES_SERVICE_PORT"], !port.isEmpty
        else {
            throw KubeConfigError("in-cluster configuration needs KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT")
        }
        let tokenPath = directory + "/token"
        guard FileManager.default.isReadableFile(atPath: tokenPath) else {
            throw KubeConfigError(
                "in-cluster configuration: service account token \(tokenPath) is missing or unreadable (is automountServiceAccountToken off?)"
            )
        }
        let caPath = directory + "/ca.crt"
        guard let ca = FileManager.default.contents(atPath: caPath) else {
            throw KubeConfigError("in-cluster configuration: cluster CA \(caPath) is missing or unreadable")
        }
        let hostPart = host.contains(":") ? "[\(host)]" : host
        var namespace = "default"
        if let data = FileManager.default.contents(atPath: directory + "/namespace") {
            let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            if !text.isEmpty { namespace = text }
        }
        if let override = options.namespace, !override.isEmpty { namespace = override }
        let server = "https://\(hostPart):\(port)"
        return ClientConfig(
            server: server, namespace: namespace, source: "in-cluster",
            tls: TLSOptions(certificateAuthorityPEM: ca),
            proxy: ProxyResolver.proxy(forServer: server, proxyURL: nil, environment: environment),
            auth: .tokenFile(path: tokenPath),
            requestTimeout: options.requestTimeout, impersonateUser: options.impersonateUser,
            impersonateGroups: options.impersonateGroups)
    }
}
