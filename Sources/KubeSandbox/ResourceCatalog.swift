import Foundation

/// One served resource: what discovery advertises and what routing and storage key on.
public struct ResourceType: Sendable, Hashable {
    public let group: String
    public let version: String
    /// Plural name as in URLs (`deployments`).
    public let resource: String
    public let kind: String
    public let namespaced: Bool
    public let shortNames: [String]
    /// Subresources real Kubernetes serves for this type (`status`, `scale`).
    public let subresources: [String]
    public let categories: [String]
    /// Where a custom resource keeps what its `scale` subresource shows (nil: the built-in
    /// workloads' `spec.replicas`, `status.replicas` and `spec.selector`).
    public let scalePaths: ScalePaths?

    public var singular: String { kind.lowercased() }
    public var apiVersion: String { group.isEmpty ? version : "\(group)/\(version)" }
    /// `deployments.apps`, or `pods` for the core group: how the apiserver names it in errors.
    public var groupResource: String { group.isEmpty ? resource : "\(resource).\(group)" }
    /// Storage identity: versions of one group/resource (HPA v1 and v2) share objects.
    public var storageKey: String { "\(group)/\(resource)" }
    public var hasStatus: Bool { subresources.contains("status") }
    public var hasScale: Bool { subresources.contains("scale") }

    public init(
        group: String, version: String, resource: String, kind: String, namespaced: Bool = true,
        shortNames: [String] = [], subresources: [String] = [], categories: [String] = [],
        scalePaths: ScalePaths? = nil
    ) {
        self.group = group
        self.version = version
        self.resource = resource
        self.kind = kind
        self.namespaced = namespaced
        self.shortNames = shortNames
        self.subresources = subresources
        self.categories = categories
        self.scalePaths = scalePaths
    }
}

/// A CustomResourceDefinition's `subresources.scale`: JSON paths such as `.spec.replicas`.
public struct ScalePaths: Sendable, Hashable {
    public var specReplicasPath: String
    public var statusReplicasPath: String
    public var labelSelectorPath: String?

    public init(specReplicasPath: String, statusReplicasPath: String, labelSelectorPath: String? = nil) {
        self.specReplicasPath = specReplicasPath
        self.statusReplicasPath = statusReplicasPath
        self.labelSelectorPath = labelSelectorPath
    }

    /// `.spec.replicas` -> `["spec", "replicas"]`.
    static func keys(_ path: String) -> [String] { path.split(separator: ".").map(String.init) }
}

/// The types one sandbox serves: the built-ins plus those its CustomResourceDefinitions add.
/// Lookups walk a few dozen types, never the stored objects.
public struct Catalog: Sendable {
    public private(set) var all: [ResourceType]
    private var byStorage: [String: ResourceType] = [:]

    public init(custom: [ResourceType] = []) {
        all = ResourceCatalog.all + custom
        for t in all where byStorage[t.storageKey] == nil { byStorage[t.storageKey] = t }
    }

    /// Groups in discovery order, each with its versions (preferred first).
    public var groups: [(name: String, versions: [String])] {
        var order: [String] = []
        var versions: [String: [String]] = [:]
        for t in all where !t.group.isEmpty {
            if versions[t.group] == nil { order.append(t.group) }
            if !(versions[t.group]?.contains(t.version) ?? false) { versions[t.group, default: []].append(t.version) }
        }
        return order.map { ($0, versions[$0] ?? []) }
    }

    public func resources(group: String, version: String) -> [ResourceType] {
        all.filter { $0.group == group && $0.version == version }
    }

    public func find(group: String, version: String, resource: String) -> ResourceType? {
        all.first { $0.group == group && $0.version == version && $0.resource == resource }
    }

    /// The served type for an object's apiVersion and kind.
    public func find(apiVersion: String, kind: String) -> ResourceType? {
        let parts = apiVersion.split(separator: "/", maxSplits: 1).map(String.init)
        let (group, version) = parts.count == 2 ? (parts[0], parts[1]) : ("", apiVersion)
        return all.first { $0.group == group && $0.version == version && $0.kind == kind }
    }

    /// One served type for a storage key (`apps/deployments`), whichever version.
    public func type(storage: String) -> ResourceType? { byStorage[storage] }
}

/// The fixed set of resources the sandbox serves (issue 4 names them).
///
/// Kept as data so discovery, routing, tables and the webhook rule matcher agree.
public enum ResourceCatalog {
    public static let all: [ResourceType] = [
        namespaces,
        pods,
        ResourceType(
            group: "", version: "v1", resource: "services", kind: "Service", shortNames: ["svc"],
            subresources: ["status"], categories: ["all"]),
        ResourceType(group: "", version: "v1", resource: "endpoints", kind: "Endpoints", shortNames: ["ep"]),
        ResourceType(group: "", version: "v1", resource: "configmaps", kind: "ConfigMap", shortNames: ["cm"]),
        ResourceType(group: "", version: "v1", resource: "secrets", kind: "Secret"),
        ResourceType(group: "", version: "v1", resource: "events", kind: "Event", shortNames: ["ev"]),
        ResourceType(group: "", version: "v1", resource: "serviceaccounts", kind: "ServiceAccount", shortNames: ["sa"]),
        ResourceType(
            group: "", version: "v1", resource: "replicationcontrollers", kind: "ReplicationController",
            shortNames: ["rc"], subresources: ["status", "scale"], categories: ["all"]),
        ResourceType(
            group: "apps", version: "v1", resource: "deployments", kind: "Deployment",
            shortNames: ["deploy"], subresources: ["status", "scale"], categories: ["all"]),
        ResourceType(
            group: "apps", version: "v1", resource: "statefulsets", kind: "StatefulSet",
            shortNames: ["sts"], subresources: ["status", "scale"], categories: ["all"]),
        ResourceType(
            group: "apps", version: "v1", resource: "replicasets", kind: "ReplicaSet",
            shortNames: ["rs"], subresources: ["status", "scale"], categories: ["all"]),
        // Stored only (no controller runs them): so webhooks matching them can be exercised.
        ResourceType(
            group: "apps", version: "v1", resource: "daemonsets", kind: "DaemonSet",
            shortNames: ["ds"], subresources: ["status"], categories: ["all"]),
        ResourceType(
            group: "batch", version: "v1", resource: "jobs", kind: "Job", subresources: ["status"], categories: ["all"]),
        ResourceType(
            group: "batch", version: "v1", resource: "cronjobs", kind: "CronJob", shortNames: ["cj"],
            subresources: ["status"], categories: ["all"]),
        ResourceType(
            group: "policy", version: "v1", resource: "poddisruptionbudgets", kind: "PodDisruptionBudget",
            shortNames: ["pdb"], subresources: ["status"]),
        ResourceType(group: "coordination.k8s.io", version: "v1", resource: "leases", kind: "Lease"),
        ResourceType(
            group: "autoscaling", version: "v2", resource: "horizontalpodautoscalers",
            kind: "HorizontalPodAutoscaler", shortNames: ["hpa"], subresources: ["status"], categories: ["all"]),
        ResourceType(
            group: "autoscaling", version: "v1", resource: "horizontalpodautoscalers",
            kind: "HorizontalPodAutoscaler", shortNames: ["hpa"], subresources: ["status"], categories: ["all"]),
        ResourceType(
            group: "admissionregistration.k8s.io", version: "v1", resource: "validatingwebhookconfigurations",
            kind: "ValidatingWebhookConfiguration", namespaced: false),
        // Stored only (no authorization is enforced): so install manifests apply cleanly.
        ResourceType(
            group: "rbac.authorization.k8s.io", version: "v1", resource: "clusterroles", kind: "ClusterRole",
            namespaced: false),
        ResourceType(
            group: "rbac.authorization.k8s.io", version: "v1", resource: "clusterrolebindings",
            kind: "ClusterRoleBinding", namespaced: false),
        ResourceType(group: "rbac.authorization.k8s.io", version: "v1", resource: "roles", kind: "Role"),
        ResourceType(group: "rbac.authorization.k8s.io", version: "v1", resource: "rolebindings", kind: "RoleBinding"),
        customResourceDefinitions,
    ]

    /// The built-in types alone (a sandbox without CRDs).
    public static let builtins = Catalog()

    /// Groups of the built-in types in discovery order, each with its versions (preferred first).
    public static var groups: [(name: String, versions: [String])] { builtins.groups }

    public static func resources(group: String, version: String) -> [ResourceType] {
        builtins.resources(group: group, version: version)
    }

    public static func find(group: String, version: String, resource: String) -> ResourceType? {
        builtins.find(group: group, version: version, resource: resource)
    }

    /// The built-in type for an object's apiVersion and kind.
    public static func find(apiVersion: String, kind: String) -> ResourceType? {
        builtins.find(apiVersion: apiVersion, kind: kind)
    }

    public static let namespaces = ResourceType(
        group: "", version: "v1", resource: "namespaces", kind: "Namespace",
        namespaced: false, shortNames: ["ns"], subresources: ["status"])
    /// Applying one makes the sandbox serve its kind (`CustomResources`).
    public static let customResourceDefinitions = ResourceType(
        group: "apiextensions.k8s.io", version: "v1", resource: "customresourcedefinitions",
        kind: "CustomResourceDefinition", namespaced: false, shortNames: ["crd", "crds"], subresources: ["status"])
    public static let pods = ResourceType(
        group: "", version: "v1", resource: "pods", kind: "Pod", shortNames: ["po"],
        subresources: ["status"], categories: ["all"])

    public static func named(_ resource: String, group: String) -> ResourceType? {
        all.first { $0.resource == resource && $0.group == group }
    }
}
