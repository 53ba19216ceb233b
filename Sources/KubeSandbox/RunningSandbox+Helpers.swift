import Foundation
import KubeCertificates
import KubeAPIMachinery

extension Sandbox {
    static func writeWebhookCertificate(to dir: String, ca: CertificateAndKey) throws {
        let cert = try CertificateFactory.issue(
            CertificateSpec(
                commonName: "singleton-webhook", dnsNames: ["localhost", "singleton-webhook.singleton-system.svc"],
                ipAddresses: ["127.0.0.1"], usage: .server), signedBy: ca)
        let base = URL(fileURLWithPath: dir)
        try FileManager.default.createDirectory(at: base, withIntermediateDirectories: true)
        try Data(cert.certificatePEM.utf8).write(to: base.appendingPathComponent("tls.crt"))
        try Data(cert.privateKeyPEM.utf8).write(to: base.appendingPathComponent("tls.key"))
        _ = chmod(base.appendingPathComponent("tls.key").path, 0o600)
        try Data(ca.certificatePEM.utf8).write(to: base.appendingPathComponent("ca.crt"))
    }
}

extension RunningSandbox {
    /// Creates objects as if they had always been there (no admission); returns them as stored.
    @discardableResult
    public func seed(_ objects: [JSONValue]) async throws -> [JSONValue] {
        try await api.seed(objects)
    }

    /// Seeds from JSON documents (one object, or a `List` with `items`).
    @discardableResult
    public func seed(json: Data) async throws -> [JSONValue] {
        let value = try JSONValue.parse(json)
        return try await seed(value["items"]?.arrayValue ?? [value])
    }

    /// Registers a ValidatingWebhookConfiguration with one webhook calling `url`, trusting
    /// `caPEM`; the rules default to the workloads and their scale subresources.
    public func registerWebhook(
        name: String, url: String, caPEM: String, failurePolicy: String = "Fail",
        rules: [JSONValue]? = nil, timeoutSeconds: Int = 10
    ) async throws {
        let defaultRules: [JSONValue] = [
            [
                "apiGroups": ["apps"], "apiVersions": ["v1"], "operations": ["CREATE", "UPDATE"],
                "resources": [
                    "deployments", "statefulsets", "replicasets", "deployments/scale", "statefulsets/scale",
                    "replicasets/scale",
                ],
            ],
            [
                "apiGroups": [""], "apiVersions": ["v1"], "operations": ["CREATE", "UPDATE"],
                "resources": ["replicationcontrollers", "replicationcontrollers/scale"],
            ],
        ]
        let hook: JSONValue = [
            "name": .string(name), "admissionReviewVersions": ["v1"], "sideEffects": "None",
            "failurePolicy": .string(failurePolicy), "timeoutSeconds": .int(Int64(timeoutSeconds)),
            "clientConfig": ["url": .string(url), "caBundle": .string(Data(caPEM.utf8).base64EncodedString())],
            "rules": .array(rules ?? defaultRules),
        ]
        try await seed([
            [
                "apiVersion": "admissionregistration.k8s.io/v1", "kind": "ValidatingWebhookConfiguration",
                "metadata": ["name": .string(name)], "webhooks": [hook],
            ]
        ])
    }
}
