import Foundation
import KubeAPIMachinery
import SingletonCore

/// How `install` was asked to set the webhook up.
public struct InstallOptions: Sendable, Equatable {
    public enum Certificates: Sendable, Equatable {
        /// Generate a CA and serving certificate here; store them in the TLS Secret.
        case selfSigned
        /// Let cert-manager issue them (the deploy/cert-manager overlay).
        case certManager
    }

    public var namespace: String
    public var image: String?
    public var certificates: Certificates
    public var scaleFailurePolicy: FailurePolicy?

    public init(
        namespace: String = InstallPlan.defaultNamespace, image: String? = nil,
        certificates: Certificates = .selfSigned,
        scaleFailurePolicy: FailurePolicy? = nil
    ) {
        self.namespace = namespace
        self.image = image
        self.certificates = certificates
        self.scaleFailurePolicy = scaleFailurePolicy
    }
}

/// The objects `install` creates, built from the embedded deploy/ manifests (pure).
public struct InstallPlan: Sendable, Equatable {
    public static let defaultNamespace = "singleton-system"

    /// In apply order: the namespace and RBAC first, the webhook configuration last, so
    /// the apiserver never calls a webhook that is not there yet.
    public var objects: [JSONValue]

    /// The TLS Secret the Deployment mounts, and the Service the webhooks call.
    public var secretName: String
    public var serviceName: String

    /// Reads the embedded manifests and applies the options: namespace, image, scale failurePolicy,
    /// and the cert-manager overlay (its ValidatingWebhookConfiguration document is a patch).
    public static func make(_ options: InstallOptions, files: [(path: String, content: String)]) throws -> InstallPlan {
        var objects: [JSONValue] = []
        var patches: [JSONValue] = []
        for (path, content) in files {
            let inOverlay = path.hasPrefix("deploy/cert-manager/")
            if inOverlay && options.certificates != .certManager { continue }
            for doc in try YAMLBridge.documents(content) {
                guard case .object = doc, let kind = doc["kind"]?.stringValue, kind != "Kustomization" else { continue }
                // A document in the overlay that names an object of the base is a patch.
                if inOverlay, kind == "ValidatingWebhookConfiguration" { patches.append(doc); continue }
                objects.append(doc)
            }
        }
        guard !objects.isEmpty else {
            throw CLIError("this build embeds no deploy/ manifests; rebuild after `make embed`")
        }
        for patch in patches {
            for i in objects.indices
            where objects[i]["kind"] == patch["kind"]
                && objects[i][path: "metadata", "name"] == patch[path: "metadata", "name"]
            {
                objects[i] = objects[i].applyingMergePatch(patch)
            }
        }
        objects = objects.map { rename($0, from: defaultNamespace, to: options.namespace) }
        var secretName = "singleton-webhook-tls"
        var serviceName = "singleton-webhook"
        for i in objects.indices {
            let kind = objects[i]["kind"]?.stringValue ?? ""
            if kind == "Deployment" {
                if let image = options.image { objects[i] = setImage(objects[i], image) }
                if let secret = objects[i][path: "spec", "template", "spec", "volumes"]?.arrayValue?.compactMap({
                    $0[path: "secret", "secretName"]?.stringValue
                }).first {
                    secretName = secret
                }
            }
            if kind == "ValidatingWebhookConfiguration" {
                if let policy = options.scaleFailurePolicy { objects[i] = setScaleFailurePolicy(objects[i], policy) }
                if let svc = objects[i]["webhooks"]?.arrayValue?.first?[path: "clientConfig", "service", "name"]?
                    .stringValue
                {
                    serviceName = svc
                }
            }
        }
        objects.sort { rank($0) < rank($1) }
        return InstallPlan(objects: objects, secretName: secretName, serviceName: serviceName)
    }

    /// The DNS names the serving certificate must carry.
    public func serviceDNSNames(namespace: String) -> [String] {
        [
            "\(serviceName)", "\(serviceName).\(namespace)", "\(serviceName).\(namespace).svc",
            "\(serviceName).\(namespace).svc.cluster.local",
        ]
    }

    /// Sets every webhook's `clientConfig.caBundle` (base64 of the CA PEM).
    public mutating func setCABundle(_ caPEM: String) {
        for i in objects.indices where objects[i]["kind"] == "ValidatingWebhookConfiguration" {
            objects[i] = Self.withCABundle(objects[i], caPEM)
        }
    }

    /// The webhook configuration with every webhook's `clientConfig.caBundle` set.
    static func withCABundle(_ configuration: JSONValue, _ caPEM: String) -> JSONValue {
        let bundle = JSONValue.string(Data(caPEM.utf8).base64EncodedString())
        guard let hooks = configuration["webhooks"]?.arrayValue else { return configuration }
        var c = configuration
        c["webhooks"] = .array(
            hooks.map { hook in
                var h = hook
                var config = h["clientConfig"] ?? [:]
                config["caBundle"] = bundle
                h["clientConfig"] = config
                return h
            })
        return c
    }

    /// The TLS Secret holding the serving certificate, its key and the CA.
    public func tlsSecret(namespace: String, certificatePEM: String, keyPEM: String, caPEM: String) -> JSONValue {
        func b64(_ s: String) -> JSONValue { .string(Data(s.utf8).base64EncodedString()) }
        return [
            "apiVersion": "v1", "kind": "Secret", "type": "kubernetes.io/tls",
            "metadata": [
                "name": .string(secretName), "namespace": .string(namespace),
                "labels": [
                    "app.kubernetes.io/name": "kube-singleton",
                    SingletonAnnotation.managedByLabel: .string(SingletonAnnotation.managedByValue),
                ],
            ],
            "data": ["tls.crt": b64(certificatePEM), "tls.key": b64(keyPEM), "ca.crt": b64(caPEM)],
        ]
    }

    static func rank(_ object: JSONValue) -> Int {
        let order = [
            "Namespace", "ServiceAccount", "ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding", "Issuer",
            "Certificate",
            "Secret", "ConfigMap", "Service", "Deployment", "PodDisruptionBudget", "ValidatingWebhookConfiguration",
        ]
        return order.firstIndex(of: object["kind"]?.stringValue ?? "") ?? order.count
    }

    /// Replaces the default namespace wherever a manifest names it: exact values
    /// (metadata, service references, exclusion lists), DNS names and `ns/name` references.
    static func rename(_ value: JSONValue, from old: String, to new: String) -> JSONValue {
        guard old != new else { return value }
        switch value {
        case .string(let s):
            if s == old { return .string(new) }
            if s.hasPrefix(old + "/") { return .string(new + s.dropFirst(old.count)) }
            return .string(s.replacingOccurrences(of: ".\(old).svc", with: ".\(new).svc"))
        case .array(let a): return .array(a.map { rename($0, from: old, to: new) })
        case .object(let o): return .object(o.mapValues { rename($0, from: old, to: new) })
        default: return value
        }
    }

    static func setImage(_ deployment: JSONValue, _ image: String) -> JSONValue {
        let d = deployment
        guard let containers = d[path: "spec", "template", "spec", "containers"]?.arrayValue else { return d }
        let updated: [JSONValue] = containers.map {
            var c = $0; c["image"] = .string(image); return c
        }
        return d.applyingMergePatch(["spec": ["template": ["spec": ["containers": .array(updated)]]]])
    }

    /// Sets the failurePolicy of the webhooks that judge against a looked-up parent (scale,
    /// HPA and ScaledObject requests), which `--failure-policy-scale` governs.
    static func setScaleFailurePolicy(_ config: JSONValue, _ policy: FailurePolicy) -> JSONValue {
        var c = config
        guard let hooks = c["webhooks"]?.arrayValue else { return c }
        c["webhooks"] = .array(
            hooks.map { hook in
                guard judgesParent(hook) else { return hook }
                var h = hook
                h["failurePolicy"] = .string(policy.rawValue)
                return h
            })
        return c
    }

    /// True for a webhook whose rules name `*/scale` subresources, HPAs or ScaledObjects.
    static func judgesParent(_ hook: JSONValue) -> Bool {
        let resources = (hook["rules"]?.arrayValue ?? []).flatMap { $0["resources"]?.arrayValue ?? [] }.compactMap(
            \.stringValue)
        return resources.contains {
            $0.hasSuffix("/scale") || $0 == "horizontalpodautoscalers" || $0 == "scaledobjects"
        }
    }
}

/// Where each kind lives in the API, for the kinds deploy/ uses.
enum ResourcePaths {
    static let table: [String: (base: String, resource: String, namespaced: Bool)] = [
        "Namespace": ("/api/v1", "namespaces", false), "ServiceAccount": ("/api/v1", "serviceaccounts", true),
        "Secret": ("/api/v1", "secrets", true), "ConfigMap": ("/api/v1", "configmaps", true),
        "Service": ("/api/v1", "services", true),
        "ClusterRole": ("/apis/rbac.authorization.k8s.io/v1", "clusterroles", false),
        "ClusterRoleBinding": ("/apis/rbac.authorization.k8s.io/v1", "clusterrolebindings", false),
        "Role": ("/apis/rbac.authorization.k8s.io/v1", "roles", true),
        "RoleBinding": ("/apis/rbac.authorization.k8s.io/v1", "rolebindings", true),
        "Deployment": ("/apis/apps/v1", "deployments", true),
        "PodDisruptionBudget": ("/apis/policy/v1", "poddisruptionbudgets", true),
        "ValidatingWebhookConfiguration": (
            "/apis/admissionregistration.k8s.io/v1", "validatingwebhookconfigurations", false
        ),
        "Issuer": ("/apis/cert-manager.io/v1", "issuers", true),
        "Certificate": ("/apis/cert-manager.io/v1", "certificates", true),
    ]

    static func collection(for object: JSONValue) throws -> String {
        let kind = object["kind"]?.stringValue ?? ""
        let ns = object.namespace
        guard let (base, resource, namespaced) = table[kind] else {
            throw CLIError(
                "install does not know where \(kind) objects live; this build's deploy/ manifests and plugin disagree")
        }
        return namespaced ? "\(base)/namespaces/\(ns)/\(resource)" : "\(base)/\(resource)"
    }

    /// The API group ("" for core), resource and scope of the object's kind.
    static func resource(for object: JSONValue) -> (group: String, resource: String, namespaced: Bool)? {
        guard let (base, resource, namespaced) = table[object["kind"]?.stringValue ?? ""] else { return nil }
        let group = base == "/api/v1" ? "" : String(base.split(separator: "/")[1])
        return (group, resource, namespaced)
    }
}
