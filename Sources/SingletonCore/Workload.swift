import Foundation

/// A Deployment, StatefulSet, ReplicaSet, ReplicationController or Argo Rollout, reduced to what the
/// singleton rules and the plugin's manifests need.
///
/// Decoding is tolerant by construction: unknown fields are ignored, and fields whose
/// shape differs between kinds (a ReplicationController's selector is a plain map) are
/// normalised here so no caller has to care which kind it holds.
public struct Workload: Sendable, Equatable {
    public var kind: WorkloadKind
    public var metadata: ObjectMeta
    /// `spec.replicas`; nil when absent (the API defaults it to 1).
    public var replicas: Int?
    public var selector: LabelSelector?
    public var templateLabels: [String: String]
    /// Deployment only.
    public var strategy: DeploymentStrategy?
    /// Rollout only: `spec.strategy` as Argo Rollouts reads it (`blueGreen` or `canary`).
    public var rolloutStrategy: RolloutStrategy?
    /// StatefulSet only: the governing headless Service.
    public var serviceName: String?
    /// Container ports of the pod template, in order (for the headless Service).
    public var containerPorts: [ContainerPort]
    public var status: WorkloadStatus?

    public init(
        kind: WorkloadKind, metadata: ObjectMeta, replicas: Int? = nil, selector: LabelSelector? = nil,
        templateLabels: [String: String] = [:], strategy: DeploymentStrategy? = nil,
        serviceName: String? = nil, containerPorts: [ContainerPort] = [], status: WorkloadStatus? = nil,
        rolloutStrategy: RolloutStrategy? = nil
    ) {
        self.kind = kind
        self.metadata = metadata
        self.replicas = replicas
        self.selector = selector
        self.templateLabels = templateLabels
        self.strategy = strategy
        self.serviceName = serviceName
        self.containerPorts = containerPorts
        self.status = status
        self.rolloutStrategy = rolloutStrategy
    }

    /// Replicas the API will run: `spec.replicas`, defaulted to 1 when absent.
    public var effectiveReplicas: Int { replicas ?? 1 }

    /// True when a Deployment controls this ReplicaSet: then it is the Deployment
    /// controller's business (annotations are copied down from the Deployment).
    public var isOwnedByDeployment: Bool {
        metadata.ownerReferences?.contains { $0.kind == "Deployment" && groupOf(apiVersion: $0.apiVersion) == "apps" }
            ?? false
    }

    /// The name of the first owner reference to an `apps` Deployment.
    public var owningDeployment: String? { metadata.owningDeployment }

    /// Decodes a workload of a known kind from raw JSON.
    public static func decode(_ data: Data, as kind: WorkloadKind) throws -> Workload {
        let raw = try JSONDecoder().decode(RawWorkload.self, from: data)
        return Workload(kind: kind, raw: raw)
    }

    /// Decodes any of the four kinds, reading `apiVersion` and `kind` from the document.
    public static func decode(_ data: Data) throws -> Workload {
        let raw = try JSONDecoder().decode(RawWorkload.self, from: data)
        guard let kindName = raw.kind, let kind = WorkloadKind(apiVersion: raw.apiVersion, kind: kindName) else {
            throw DecodingError.dataCorrupted(
                .init(
                    codingPath: [],
                    debugDescription:
                        "not a Deployment, StatefulSet, ReplicaSet, ReplicationController or Rollout (apiVersion \(raw.apiVersion ?? "?"), kind \(raw.kind ?? "?"))"
                ))
        }
        return Workload(kind: kind, raw: raw)
    }

    init(kind: WorkloadKind, raw: RawWorkload) {
        let spec = raw.spec
        self.init(
            kind: kind,
            metadata: raw.metadata ?? ObjectMeta(),
            replicas: spec?.replicas,
            selector: spec?.selector,
            templateLabels: spec?.template?.metadata?.labels ?? [:],
            strategy: kind == .deployment ? spec?.strategy : nil,
            serviceName: kind == .statefulSet ? spec?.serviceName : nil,
            containerPorts: (spec?.template?.spec?.containers ?? []).flatMap { $0.ports ?? [] },
            status: raw.status,
            rolloutStrategy: kind == .rollout ? spec?.rolloutStrategy : nil
        )
    }
}

/// Observed state, as the controllers report it.
public struct WorkloadStatus: Sendable, Equatable, Codable {
    public var replicas: Int?
    public var readyReplicas: Int?
    public var availableReplicas: Int?
    public init(replicas: Int? = nil, readyReplicas: Int? = nil, availableReplicas: Int? = nil) {
        self.replicas = replicas
        self.readyReplicas = readyReplicas
        self.availableReplicas = availableReplicas
    }
}

/// `spec.strategy` of a Deployment.
public struct DeploymentStrategy: Sendable, Equatable, Codable {
    public var type: String?
    public var rollingUpdate: RollingUpdate?

    public struct RollingUpdate: Sendable, Equatable, Codable {
        public var maxSurge: IntOrString?
        public var maxUnavailable: IntOrString?
        public init(maxSurge: IntOrString? = nil, maxUnavailable: IntOrString? = nil) {
            self.maxSurge = maxSurge
            self.maxUnavailable = maxUnavailable
        }
    }

    public init(type: String? = nil, rollingUpdate: RollingUpdate? = nil) {
        self.type = type
        self.rollingUpdate = rollingUpdate
    }

    /// The maxSurge the Deployment controller will use: `25%` when the strategy is
    /// RollingUpdate (the default type) and no value is given.
    public var effectiveMaxSurge: IntOrString? {
        let t = type ?? "RollingUpdate"
        guard t == "RollingUpdate" else { return nil }
        return rollingUpdate?.maxSurge ?? .string("25%")
    }

    /// Whether a rollout of a one-replica Deployment starts a second pod before the first
    /// stops. `maxSurge` rounds up, so any non-zero percentage surges one pod. An
    /// unparseable value counts as surging: the API would reject it anyway, and the safe
    /// answer for at-most-one is "no".
    public var surges: Bool {
        guard let surge = effectiveMaxSurge else { return false }
        guard let pods = surge.scaled(total: 1, roundUp: true) else { return true }
        return pods != 0
    }
}

/// `spec.strategy` of an Argo Rollout: exactly one of `blueGreen` and `canary`.
public struct RolloutStrategy: Sendable, Equatable, Codable {
    public var blueGreen: BlueGreen?
    public var canary: Canary?

    /// `blueGreen`: only its presence matters here (it runs the preview and the active
    /// ReplicaSet side by side).
    public typealias BlueGreen = PresentObject

    /// A member whose fields are not read, only that it is there: any object (anything
    /// else is an error, as for the API server); encoded as `{}`.
    public struct PresentObject: Sendable, Equatable, Codable {
        public init() {}
        private struct AnyKey: CodingKey {
            var stringValue: String
            var intValue: Int? { nil }
            init(stringValue: String) { self.stringValue = stringValue }
            init?(intValue: Int) { nil }
        }
        public init(from decoder: any Decoder) throws { _ = try decoder.container(keyedBy: AnyKey.self) }
        public func encode(to encoder: any Encoder) throws { _ = encoder.container(keyedBy: AnyKey.self) }
    }

    public struct Canary: Sendable, Equatable, Codable {
        public var maxSurge: IntOrString?
        public var maxUnavailable: IntOrString?
        /// With traffic routing the stable ReplicaSet stays at full scale while the canary
        /// gets its pods, so a one-replica Rollout runs two, whatever maxSurge says.
        public var trafficRouting: PresentObject?
        public init(
            maxSurge: IntOrString? = nil, maxUnavailable: IntOrString? = nil, trafficRouting: PresentObject? = nil
        ) {
            self.maxSurge = maxSurge
            self.maxUnavailable = maxUnavailable
            self.trafficRouting = trafficRouting
        }
    }

    public init(blueGreen: BlueGreen? = nil, canary: Canary? = nil) {
        self.blueGreen = blueGreen
        self.canary = canary
    }

    /// A canary's maxSurge as Argo Rollouts applies it: `25%` when unset.
    public var effectiveMaxSurge: IntOrString? { canary.map { $0.maxSurge ?? .string("25%") } }

    /// Whether an update of a one-replica Rollout runs a second pod next to the first:
    /// always for blueGreen and for a canary with traffic routing, and for a canary whose
    /// maxSurge rounds up to a pod (an unparseable value counts as surging, as for a Deployment).
    public var surges: Bool {
        if blueGreen != nil || canary?.trafficRouting != nil { return true }
        guard let surge = effectiveMaxSurge else { return false }
        guard let pods = surge.scaled(total: 1, roundUp: true) else { return true }
        return pods != 0
    }
}

/// `metav1.LabelSelector`, also accepting a ReplicationController's plain map selector.
public struct LabelSelector: Sendable, Equatable, Codable {
    public var matchLabels: [String: String]?
    public var matchExpressions: [Requirement]?

    public struct Requirement: Sendable, Equatable, Codable {
        public var key: String
        public var `operator`: String
        public var values: [String]?
        public init(key: String, operator: String, values: [String]? = nil) {
            self.key = key
            self.operator = `operator`
            self.values = values
        }
    }

    public init(matchLabels: [String: String]? = nil, matchExpressions: [Requirement]? = nil) {
        self.matchLabels = matchLabels
        self.matchExpressions = matchExpressions
    }

    enum CodingKeys: String, CodingKey { case matchLabels, matchExpressions }

    public init(from decoder: any Decoder) throws {
        if let c = try? decoder.container(keyedBy: CodingKeys.self),
            c.contains(.matchLabels) || c.contains(.matchExpressions)
        {
            matchLabels = try c.decodeIfPresent([String: String].self, forKey: .matchLabels)
            matchExpressions = try c.decodeIfPresent([Requirement].self, forKey: .matchExpressions)
            return
        }
        // ReplicationController: `selector: {app: x}`.
        let map = try decoder.singleValueContainer().decode([String: String].self)
        matchLabels = map
        matchExpressions = nil
    }

    /// True when only equality terms are used: what a Service selector can express.
    public var isEqualityOnly: Bool { (matchExpressions ?? []).isEmpty }

    /// The selector in kubectl's string form (`app=web,tier notin (a,b)`).
    public var asQueryString: String {
        var parts = (matchLabels ?? [:]).sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
        for r in matchExpressions ?? [] {
            let vals = (r.values ?? []).joined(separator: ",")
            switch r.operator {
            case "In": parts.append("\(r.key) in (\(vals))")
            case "NotIn": parts.append("\(r.key) notin (\(vals))")
            case "Exists": parts.append(r.key)
            case "DoesNotExist": parts.append("!\(r.key)")
            default: parts.append("\(r.key) \(r.operator) (\(vals))")
            }
        }
        return parts.joined(separator: ",")
    }

    /// Whether a set of labels satisfies the selector.
    public func matches(_ labels: [String: String]) -> Bool {
        for (k, v) in matchLabels ?? [:] where labels[k] != v { return false }
        for r in matchExpressions ?? [] {
            let values = r.values ?? []
            switch r.operator {
            case "In": guard let v = labels[r.key], values.contains(v) else { return false }
            case "NotIn": if let v = labels[r.key], values.contains(v) { return false }
            case "Exists": if labels[r.key] == nil { return false }
            case "DoesNotExist": if labels[r.key] != nil { return false }
            default: return false
            }
        }
        return true
    }
}

/// A container port of the pod template.
public struct ContainerPort: Sendable, Equatable, Codable {
    public var name: String?
    public var containerPort: Int
    public var `protocol`: String?
    public init(name: String? = nil, containerPort: Int, protocol: String? = nil) {
        self.name = name
        self.containerPort = containerPort
        self.protocol = `protocol`
    }
}

/// The wire shape shared by the four kinds; only the fields we read.
struct RawWorkload: Decodable {
    var apiVersion: String?
    var kind: String?
    var metadata: ObjectMeta?
    var spec: Spec?
    var status: WorkloadStatus?

    struct Spec: Decodable {
        var replicas: Int?
        var selector: LabelSelector?
        /// `strategy` read both ways, for every kind (the byte reader reads it the same way).
        var strategy: DeploymentStrategy?
        var rolloutStrategy: RolloutStrategy?
        var serviceName: String?
        var template: Template?

        enum CodingKeys: String, CodingKey { case replicas, selector, strategy, serviceName, template }

        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            replicas = try c.decodeIfPresent(Int.self, forKey: .replicas)
            selector = try c.decodeIfPresent(LabelSelector.self, forKey: .selector)
            strategy = try c.decodeIfPresent(DeploymentStrategy.self, forKey: .strategy)
            rolloutStrategy = try c.decodeIfPresent(RolloutStrategy.self, forKey: .strategy)
            serviceName = try c.decodeIfPresent(String.self, forKey: .serviceName)
            template = try c.decodeIfPresent(Template.self, forKey: .template)
        }
    }
    struct Template: Decodable {
        var metadata: ObjectMeta?
        var spec: PodSpec?
    }
    struct PodSpec: Decodable {
        var containers: [Container]?
    }
    struct Container: Decodable {
        var ports: [ContainerPort]?
    }
}
