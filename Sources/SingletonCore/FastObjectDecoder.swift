/// Reads the objects of an AdmissionRequest (workloads, Scales, HPAs) with `JSONScanner`,
/// producing exactly the values the Codable types would: the same fields, the same
/// defaults for absent ones. Required fields that are missing, and every shape the scanner
/// does not handle, throw `Unsupported` so the caller falls back to Codable.
enum FastObjectDecoder {
    typealias Unsupported = JSONScanner.Unsupported

    static func objectMeta(_ s: inout JSONScanner) throws(Unsupported) -> ObjectMeta {
        var meta = ObjectMeta()
        try s.forEachMember { (s: inout JSONScanner, key: String) throws(Unsupported) in
            switch key {
            case "name": meta.name = try s.optionalString()
            case "generateName": meta.generateName = try s.optionalString()
            case "namespace": meta.namespace = try s.optionalString()
            case "uid": meta.uid = try s.optionalString()
            case "resourceVersion": meta.resourceVersion = try s.optionalString()
            case "labels": meta.labels = try s.optionalStringMap()
            case "annotations": meta.annotations = try s.optionalStringMap()
            case "ownerReferences":
                if try s.readNull() { meta.ownerReferences = nil; return }
                var refs: [OwnerReference] = []
                try s.forEachElement { (s: inout JSONScanner) throws(Unsupported) in refs.append(try ownerReference(&s)) }
                meta.ownerReferences = refs
            default: try s.skipValue()
            }
        }
        return meta
    }

    static func optionalObjectMeta(_ s: inout JSONScanner) throws(Unsupported) -> ObjectMeta? {
        try s.nullOrObject() ? nil : try objectMeta(&s)
    }

    static func ownerReference(_ s: inout JSONScanner) throws(Unsupported) -> OwnerReference {
        var apiVersion: String?, kind: String?, name: String?, uid: String?
        var controller: Bool?, blockOwnerDeletion: Bool?
        try s.forEachMember { (s: inout JSONScanner, key: String) throws(Unsupported) in
            switch key {
            case "apiVersion": apiVersion = try s.readString()
            case "kind": kind = try s.readString()
            case "name": name = try s.readString()
            case "uid": uid = try s.readString()
            case "controller": controller = try s.optionalBool()
            case "blockOwnerDeletion": blockOwnerDeletion = try s.optionalBool()
            default: try s.skipValue()
            }
        }
        return OwnerReference(apiVersion: try JSONScanner.required(apiVersion), kind: try JSONScanner.required(kind),
                              name: try JSONScanner.required(name), uid: try JSONScanner.required(uid),
                              controller: controller, blockOwnerDeletion: blockOwnerDeletion)
    }

    /// A Deployment, StatefulSet, ReplicaSet or ReplicationController, as `RawWorkload`.
    static func workload(_ s: inout JSONScanner, kind: WorkloadKind) throws(Unsupported) -> Workload {
        var raw = RawWorkload()
        try s.forEachMember { (s: inout JSONScanner, key: String) throws(Unsupported) in
            switch key {
            case "apiVersion": raw.apiVersion = try s.optionalString()
            case "kind": raw.kind = try s.optionalString()
            case "metadata": raw.metadata = try optionalObjectMeta(&s)
            case "spec": raw.spec = try s.nullOrObject() ? nil : try workloadSpec(&s)
            case "status": raw.status = try s.nullOrObject() ? nil : try workloadStatus(&s)
            default: try s.skipValue()
            }
        }
        return Workload(kind: kind, raw: raw)
    }

    private static func workloadSpec(_ s: inout JSONScanner) throws(Unsupported) -> RawWorkload.Spec {
        var spec = RawWorkload.Spec()
        try s.forEachMember { (s: inout JSONScanner, key: String) throws(Unsupported) in
            switch key {
            case "replicas": spec.replicas = try s.optionalInt()
            case "selector": spec.selector = try s.nullOrObject() ? nil : try labelSelector(&s)
            case "strategy": spec.strategy = try s.nullOrObject() ? nil : try strategy(&s)
            case "serviceName": spec.serviceName = try s.optionalString()
            case "template": spec.template = try s.nullOrObject() ? nil : try template(&s)
            default: try s.skipValue()
            }
        }
        return spec
    }

    /// `LabelSelector`'s two shapes: with `matchLabels`/`matchExpressions` keys, or a
    /// ReplicationController's plain map. Mixed or unusual shapes go to Codable.
    private static func labelSelector(_ s: inout JSONScanner) throws(Unsupported) -> LabelSelector {
        var selector = LabelSelector()
        var structured = false
        var plain: [String: String] = [:]
        try s.forEachMember { (s: inout JSONScanner, key: String) throws(Unsupported) in
            switch key {
            case "matchLabels":
                guard plain.isEmpty else { throw Unsupported() }
                structured = true
                selector.matchLabels = try s.optionalStringMap()
            case "matchExpressions":
                guard plain.isEmpty else { throw Unsupported() }
                structured = true
                if try s.readNull() { selector.matchExpressions = nil; return }
                var reqs: [LabelSelector.Requirement] = []
                try s.forEachElement { (s: inout JSONScanner) throws(Unsupported) in reqs.append(try requirement(&s)) }
                selector.matchExpressions = reqs
            default:
                guard !structured else { throw Unsupported() }
                plain[key] = try s.readString()
            }
        }
        if !structured { selector.matchLabels = plain }
        return selector
    }

    private static func requirement(_ s: inout JSONScanner) throws(Unsupported) -> LabelSelector.Requirement {
        var key: String?, op: String?, values: [String]?
        try s.forEachMember { (s: inout JSONScanner, k: String) throws(Unsupported) in
            switch k {
            case "key": key = try s.readString()
            case "operator": op = try s.readString()
            case "values": values = try s.optionalStringArray()
            default: try s.skipValue()
            }
        }
        return LabelSelector.Requirement(key: try JSONScanner.required(key), operator: try JSONScanner.required(op), values: values)
    }

    private static func strategy(_ s: inout JSONScanner) throws(Unsupported) -> DeploymentStrategy {
        var strategy = DeploymentStrategy()
        try s.forEachMember { (s: inout JSONScanner, key: String) throws(Unsupported) in
            switch key {
            case "type": strategy.type = try s.optionalString()
            case "rollingUpdate":
                if try s.nullOrObject() { strategy.rollingUpdate = nil; return }
                var ru = DeploymentStrategy.RollingUpdate()
                try s.forEachMember { (s: inout JSONScanner, key: String) throws(Unsupported) in
                    switch key {
                    case "maxSurge": ru.maxSurge = try s.optionalIntOrString()
                    case "maxUnavailable": ru.maxUnavailable = try s.optionalIntOrString()
                    default: try s.skipValue()
                    }
                }
                strategy.rollingUpdate = ru
            default: try s.skipValue()
            }
        }
        return strategy
    }

    private static func template(_ s: inout JSONScanner) throws(Unsupported) -> RawWorkload.Template {
        var template = RawWorkload.Template()
        try s.forEachMember { (s: inout JSONScanner, key: String) throws(Unsupported) in
            switch key {
            case "metadata": template.metadata = try optionalObjectMeta(&s)
            case "spec":
                if try s.nullOrObject() { template.spec = nil; return }
                var pod = RawWorkload.PodSpec()
                try s.forEachMember { (s: inout JSONScanner, key: String) throws(Unsupported) in
                    guard key == "containers" else { return try s.skipValue() }
                    if try s.readNull() { pod.containers = nil; return }
                    var containers: [RawWorkload.Container] = []
                    try s.forEachElement { (s: inout JSONScanner) throws(Unsupported) in containers.append(try container(&s)) }
                    pod.containers = containers
                }
                template.spec = pod
            default: try s.skipValue()
            }
        }
        return template
    }

    private static func container(_ s: inout JSONScanner) throws(Unsupported) -> RawWorkload.Container {
        var container = RawWorkload.Container()
        guard try !s.nullOrObject() else { throw Unsupported() }
        try s.forEachMember { (s: inout JSONScanner, key: String) throws(Unsupported) in
            guard key == "ports" else { return try s.skipValue() }
            if try s.readNull() { container.ports = nil; return }
            var ports: [ContainerPort] = []
            try s.forEachElement { (s: inout JSONScanner) throws(Unsupported) in
                var name: String?, number: Int?, proto: String?
                try s.forEachMember { (s: inout JSONScanner, key: String) throws(Unsupported) in
                    switch key {
                    case "name": name = try s.optionalString()
                    case "containerPort": number = try s.readInt()
                    case "protocol": proto = try s.optionalString()
                    default: try s.skipValue()
                    }
                }
                ports.append(ContainerPort(name: name, containerPort: try JSONScanner.required(number), protocol: proto))
            }
            container.ports = ports
        }
        return container
    }

    private static func workloadStatus(_ s: inout JSONScanner) throws(Unsupported) -> WorkloadStatus {
        var status = WorkloadStatus()
        try s.forEachMember { (s: inout JSONScanner, key: String) throws(Unsupported) in
            switch key {
            case "replicas": status.replicas = try s.optionalInt()
            case "readyReplicas": status.readyReplicas = try s.optionalInt()
            case "availableReplicas": status.availableReplicas = try s.optionalInt()
            default: try s.skipValue()
            }
        }
        return status
    }
}
