/// Reads the objects of an AdmissionRequest (workloads, Scales, HPAs) with `JSONScanner`,
/// producing exactly the values the Codable types would: the same fields, the same
/// defaults for absent ones. Required fields that are missing, and every shape the scanner
/// does not handle, throw `Unsupported` so the caller falls back to Codable.
enum FastObjectDecoder {
    typealias Unsupported = JSONScanner.Unsupported

    /// Reads an ObjectMeta into `meta` (which starts empty). The decoders read into the
    /// value's final place: returning it from here made the optimiser copy it (every
    /// string and map retained once more, then released).
    static func objectMeta(_ s: inout JSONScanner, into meta: inout ObjectMeta) throws(Unsupported) {
        var members = try s.members()
        while let field = try s.nextMember(&members) {
            switch field {
            case .name: meta.name = try s.optionalString()
            case .generateName: meta.generateName = try s.optionalString()
            case .namespace: meta.namespace = try s.optionalString()
            case .uid: meta.uid = try s.optionalString()
            case .resourceVersion: meta.resourceVersion = try s.optionalString()
            case .labels: meta.labels = try s.optionalStringMap()
            case .annotations: meta.annotations = try s.optionalStringMap()
            case .ownerReferences:
                if try s.readNull() { meta.ownerReferences = nil; continue }
                var refs: [OwnerReference] = []
                var elements = try s.elements()
                while try s.nextElement(&elements) { refs.append(try ownerReference(&s)) }
                meta.ownerReferences = refs
            default: try s.skipValue()
            }
        }
    }

    /// `metadata` that may be `null` (then `meta` stays empty, as `?? ObjectMeta()` gives).
    static func optionalObjectMeta(_ s: inout JSONScanner, into meta: inout ObjectMeta) throws(Unsupported) {
        if try !s.nullOrObject() { try objectMeta(&s, into: &meta) }
    }

    static func ownerReference(_ s: inout JSONScanner) throws(Unsupported) -> OwnerReference {
        var apiVersion: String?, kind: String?, name: String?, uid: String?
        var controller: Bool?, blockOwnerDeletion: Bool?
        var members = try s.members()
        while let field = try s.nextMember(&members) {
            switch field {
            case .apiVersion: apiVersion = try s.readString()
            case .kind: kind = try s.readString()
            case .name: name = try s.readString()
            case .uid: uid = try s.readString()
            case .controller: controller = try s.optionalBool()
            case .blockOwnerDeletion: blockOwnerDeletion = try s.optionalBool()
            default: try s.skipValue()
            }
        }
        return OwnerReference(apiVersion: try JSONScanner.required(apiVersion), kind: try JSONScanner.required(kind),
                              name: try JSONScanner.required(name), uid: try JSONScanner.required(uid),
                              controller: controller, blockOwnerDeletion: blockOwnerDeletion)
    }

    /// A Deployment, StatefulSet, ReplicaSet or ReplicationController.
    ///
    /// Built in place rather than through `RawWorkload` (whose nested optionals were copied
    /// and destroyed on the way), with the same mapping as `Workload(kind:raw:)`: absent
    /// metadata is empty, absent template labels are `[:]`, ports of all containers in
    /// order, strategy kept for Deployments only and serviceName for StatefulSets only.
    /// Every field `RawWorkload` decodes is still read and type-checked. `workload` starts
    /// as `Workload(kind:metadata: ObjectMeta())`.
    static func workload(_ s: inout JSONScanner, into workload: inout Workload) throws(Unsupported) {
        var members = try s.members()
        while let field = try s.nextMember(&members) {
            switch field {
            case .apiVersion, .kind: try s.skipOptionalString()  // decoded by RawWorkload, not kept
            case .metadata: try optionalObjectMeta(&s, into: &workload.metadata)
            case .spec: if try !s.nullOrObject() { try workloadSpec(&s, into: &workload) }
            case .status: workload.status = try s.nullOrObject() ? nil : try workloadStatus(&s)
            default: try s.skipValue()
            }
        }
    }

    private static func workloadSpec(_ s: inout JSONScanner, into workload: inout Workload) throws(Unsupported) {
        var members = try s.members()
        while let field = try s.nextMember(&members) {
            switch field {
            case .replicas: workload.replicas = try s.optionalInt()
            case .selector: workload.selector = try s.nullOrObject() ? nil : try labelSelector(&s)
            case .strategy:
                let strategy = try s.nullOrObject() ? nil : try strategy(&s)
                if workload.kind == .deployment { workload.strategy = strategy }
            case .serviceName:
                let name = try s.optionalString()
                if workload.kind == .statefulSet { workload.serviceName = name }
            case .template: if try !s.nullOrObject() { try template(&s, into: &workload) }
            default: try s.skipValue()
            }
        }
    }

    /// `LabelSelector`'s two shapes: with `matchLabels`/`matchExpressions` keys, or a
    /// ReplicationController's plain map. Mixed or unusual shapes go to Codable.
    private static func labelSelector(_ s: inout JSONScanner) throws(Unsupported) -> LabelSelector {
        var selector = LabelSelector()
        var structured = false
        var plain: [String: String] = [:]
        var members = try s.members()
        while let field = try s.nextMember(&members) {
            switch field {
            case .matchLabels:
                guard plain.isEmpty else { throw Unsupported() }
                structured = true
                selector.matchLabels = try s.optionalStringMap()
            case .matchExpressions:
                guard plain.isEmpty else { throw Unsupported() }
                structured = true
                if try s.readNull() { selector.matchExpressions = nil; continue }
                var reqs: [LabelSelector.Requirement] = []
                var elements = try s.elements()
                while try s.nextElement(&elements) { reqs.append(try requirement(&s)) }
                selector.matchExpressions = reqs
            default:
                guard !structured else { throw Unsupported() }
                // Any key of a plain map, field names included: its value is a label value.
                // A key seen twice defers (`JSONDecoder` keeps the first value).
                guard plain.updateValue(try s.readString(), forKey: s.string(members.keyRange)) == nil else {
                    throw Unsupported()
                }
            }
        }
        if !structured { selector.matchLabels = plain }
        return selector
    }

    private static func requirement(_ s: inout JSONScanner) throws(Unsupported) -> LabelSelector.Requirement {
        var key: String?, op: String?, values: [String]?
        var members = try s.members()
        while let field = try s.nextMember(&members) {
            switch field {
            case .key: key = try s.readString()
            case .op: op = try s.readString()
            case .values: values = try s.optionalStringArray()
            default: try s.skipValue()
            }
        }
        return LabelSelector.Requirement(key: try JSONScanner.required(key), operator: try JSONScanner.required(op), values: values)
    }

    static func strategy(_ s: inout JSONScanner) throws(Unsupported) -> DeploymentStrategy {
        var strategy = DeploymentStrategy()
        var members = try s.members()
        while let field = try s.nextMember(&members) {
            switch field {
            case .type: strategy.type = try s.optionalString()
            case .rollingUpdate:
                if try s.nullOrObject() { strategy.rollingUpdate = nil; continue }
                var ru = DeploymentStrategy.RollingUpdate()
                var fields = try s.members()
                while let field = try s.nextMember(&fields) {
                    switch field {
                    case .maxSurge: ru.maxSurge = try s.optionalIntOrString()
                    case .maxUnavailable: ru.maxUnavailable = try s.optionalIntOrString()
                    default: try s.skipValue()
                    }
                }
                strategy.rollingUpdate = ru
            default: try s.skipValue()
            }
        }
        return strategy
    }

    private static func template(_ s: inout JSONScanner, into workload: inout Workload) throws(Unsupported) {
        var members = try s.members()
        while let field = try s.nextMember(&members) {
            switch field {
            case .metadata:
                var meta = ObjectMeta()
                try optionalObjectMeta(&s, into: &meta)
                workload.templateLabels = meta.labels.take() ?? [:]
            case .spec: if try !s.nullOrObject() { try podSpec(&s, into: &workload) }
            default: try s.skipValue()
            }
        }
    }

    private static func podSpec(_ s: inout JSONScanner, into workload: inout Workload) throws(Unsupported) {
        var members = try s.members()
        while let field = try s.nextMember(&members) {
            guard field == .containers else { try s.skipValue(); continue }
            if try s.readNull() { continue }
            var elements = try s.elements()
            while try s.nextElement(&elements) { try container(&s, into: &workload) }
        }
    }

    /// One container: its ports are appended to the workload's.
    private static func container(_ s: inout JSONScanner, into workload: inout Workload) throws(Unsupported) {
        guard try !s.nullOrObject() else { throw Unsupported() }
        var members = try s.members()
        while let field = try s.nextMember(&members) {
            guard field == .ports else { try s.skipValue(); continue }
            if try s.readNull() { continue }
            var elements = try s.elements()
            while try s.nextElement(&elements) { workload.containerPorts.append(try containerPort(&s)) }
        }
    }

    private static func containerPort(_ s: inout JSONScanner) throws(Unsupported) -> ContainerPort {
        var name: String?, number: Int?, proto: String?
        var members = try s.members()
        while let field = try s.nextMember(&members) {
            switch field {
            case .name: name = try s.optionalString()
            case .containerPort: number = try s.readInt()
            case .proto: proto = try s.optionalString()
            default: try s.skipValue()
            }
        }
        return ContainerPort(name: name, containerPort: try JSONScanner.required(number), protocol: proto)
    }

    private static func workloadStatus(_ s: inout JSONScanner) throws(Unsupported) -> WorkloadStatus {
        var status = WorkloadStatus()
        var members = try s.members()
        while let field = try s.nextMember(&members) {
            switch field {
            case .replicas: status.replicas = try s.optionalInt()
            case .readyReplicas: status.readyReplicas = try s.optionalInt()
            case .availableReplicas: status.availableReplicas = try s.optionalInt()
            default: try s.skipValue()
            }
        }
        return status
    }
}
