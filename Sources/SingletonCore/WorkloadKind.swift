/// The workload kinds a singleton annotation can sit on: those with `spec.replicas` and a
/// `scale` subresource.
///
/// One place names their group, version, resource and the spellings kubectl accepts, so
/// the webhook's request routing, the plugin's `KIND/NAME` parsing and the sandbox agree.
public enum WorkloadKind: String, Sendable, CaseIterable, Codable, Hashable {
    case deployment = "Deployment"
    case statefulSet = "StatefulSet"
    case replicaSet = "ReplicaSet"
    case replicationController = "ReplicationController"
    /// Argo Rollouts' `Rollout` (`argoproj.io/v1alpha1`), a custom resource.
    case rollout = "Rollout"

    /// API group: `apps`, the core group (`""`) for ReplicationController, `argoproj.io`.
    public var group: String {
        switch self {
        case .replicationController: return ""
        case .rollout: return "argoproj.io"
        default: return "apps"
        }
    }
    public var version: String { self == .rollout ? "v1alpha1" : "v1" }
    /// True for kinds served by a CustomResourceDefinition that a cluster may not have
    /// installed (Argo Rollouts): a 404 on their collection means "not installed", not an error.
    public var isCustomResource: Bool { self == .rollout }
    public var apiVersion: String { group.isEmpty ? version : "\(group)/\(version)" }
    /// Plural resource name as in URLs and webhook rules.
    public var resource: String {
        switch self {
        case .deployment: return "deployments"
        case .statefulSet: return "statefulsets"
        case .replicaSet: return "replicasets"
        case .replicationController: return "replicationcontrollers"
        case .rollout: return "rollouts"
        }
    }
    /// kubectl's short name.
    public var shortName: String {
        switch self {
        case .deployment: return "deploy"
        case .statefulSet: return "sts"
        case .replicaSet: return "rs"
        case .replicationController: return "rc"
        case .rollout: return "ro"
        }
    }
    /// Lower-case singular, as kubectl prints `deployment.apps/web`.
    public var singular: String { rawValue.lowercased() }
    /// `deployment.apps`, `replicationcontroller`: the prefix kubectl prints in `KIND/NAME`.
    public var qualifiedSingular: String { group.isEmpty ? singular : "\(singular).\(group)" }

    /// The API path of the collection (`namespace` nil lists across all namespaces).
    public func collectionPath(namespace: String?) -> String {
        let base = group.isEmpty ? "/api/\(version)" : "/apis/\(group)/\(version)"
        if let namespace { return "\(base)/namespaces/\(namespace)/\(resource)" }
        return "\(base)/\(resource)"
    }

    /// The API path of one object.
    public func objectPath(namespace: String, name: String) -> String {
        "\(collectionPath(namespace: namespace))/\(name)"
    }

    /// Parses kubectl spellings: `deploy`, `deployment`, `deployments`, `deployment.apps`,
    /// `deployments.apps`, `Deployment`, `deployments.v1.apps`, likewise for the others.
    public init?(spelling: String) {
        let lowered = spelling.lowercased()
        for kind in WorkloadKind.allCases {
            let names = [kind.shortName, kind.singular, kind.resource]
            var spellings = Set(names)
            let groupSuffixes = kind.group.isEmpty ? [""] : [kind.group, "\(kind.version).\(kind.group)"]
            for name in names {
                for suffix in groupSuffixes where !suffix.isEmpty {
                    spellings.insert("\(name).\(suffix)")
                }
            }
            if kind.group.isEmpty {
                for name in names { spellings.insert("\(name).\(kind.version)") }
            }
            if spellings.contains(lowered) {
                self = kind
                return
            }
        }
        return nil
    }

    /// Matches the `kind` of an object (`Deployment`) with its apiVersion's group.
    public init?(kind: String, group: String) {
        guard let k = WorkloadKind(rawValue: kind), k.group == group else { return nil }
        self = k
    }

    /// Matches an admission `resource` (`apps/v1 deployments`).
    public init?(resource: GroupVersionResource) {
        guard
            let k = WorkloadKind.allCases.first(where: {
                $0.resource == resource.resource && $0.group == resource.group
            })
        else {
            return nil
        }
        self = k
    }

    /// Matches an object reference such as an HPA's `scaleTargetRef` (apiVersion + kind).
    public init?(apiVersion: String?, kind: String) {
        let group = apiVersion.map(groupOf(apiVersion:)) ?? ""
        if let k = WorkloadKind(kind: kind, group: group) {
            self = k
        } else if apiVersion == nil, let k = WorkloadKind(rawValue: kind) {
            self = k
        } else {
            return nil
        }
    }
}

/// `apps/v1` -> `apps`; `v1` -> `` (core).
public func groupOf(apiVersion: String) -> String {
    guard let slash = apiVersion.firstIndex(of: "/") else { return "" }
    return String(apiVersion[..<slash])
}
