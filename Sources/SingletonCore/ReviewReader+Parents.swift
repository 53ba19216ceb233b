/// A Scale or HorizontalPodAutoscaler, read into the model: the rules read their replicas and
/// target, and their request goes on to a parent lookup as the Codable model would decode it.
extension ReviewReader {
    static func scale(_ s: inout JSONScanner) throws(Unsupported) -> Scale {
        var meta = ObjectMeta(), replicas: Int?, status: Scale.Status?
        var members = try s.members()
        while let field = try s.nextMember(&members) {
            switch field {
            case .metadata: if try !s.nullOrObject() { try objectMeta(&s, into: &meta) }
            case .spec:
                if try s.nullOrObject() { continue }
                var spec = try s.members()
                while let field = try s.nextMember(&spec) {
                    if field == .replicas { replicas = try s.optionalInt() } else { try s.skipValue() }
                }
            case .status:
                if try s.nullOrObject() { continue }
                var st = Scale.Status()
                var fields = try s.members()
                while let field = try s.nextMember(&fields) {
                    switch field {
                    case .replicas: st.replicas = try s.optionalInt()
                    case .selector: st.selector = try s.optionalString()
                    default: try s.skipValue()
                    }
                }
                status = st
            default: try s.skipValue()
            }
        }
        return Scale(metadata: meta, replicas: replicas, status: status)
    }

    static func hpa(_ s: inout JSONScanner) throws(Unsupported) -> HorizontalPodAutoscaler {
        var meta = ObjectMeta(), target: CrossVersionObjectReference?, minReplicas: Int?, maxReplicas: Int?
        var sawSpec = false, sawMeta = false
        var members = try s.members()
        while let field = try s.nextMember(&members) {
            switch field {
            case .metadata:
                sawMeta = true  // required, and not null
                try objectMeta(&s, into: &meta)
            case .spec:
                sawSpec = true
                var spec = try s.members()
                while let field = try s.nextMember(&spec) {
                    switch field {
                    case .scaleTargetRef: target = try crossVersionReference(&s)
                    case .minReplicas: minReplicas = try s.optionalInt()
                    case .maxReplicas: maxReplicas = try s.readInt()
                    default: try s.skipValue()
                    }
                }
            default: try s.skipValue()
            }
        }
        guard sawSpec, sawMeta else { throw Unsupported() }
        let spec = HorizontalPodAutoscaler.Spec(
            scaleTargetRef: try JSONScanner.required(target), minReplicas: minReplicas,
            maxReplicas: try JSONScanner.required(maxReplicas))
        return HorizontalPodAutoscaler(metadata: meta, spec: spec)
    }

    private static func crossVersionReference(_ s: inout JSONScanner) throws(Unsupported) -> CrossVersionObjectReference
    {
        var apiVersion: String?, kind: String?, name: String?
        var members = try s.members()
        while let field = try s.nextMember(&members) {
            switch field {
            case .apiVersion: apiVersion = try s.optionalString()
            case .kind: kind = try s.readString()
            case .name: name = try s.readString()
            default: try s.skipValue()
            }
        }
        return CrossVersionObjectReference(
            apiVersion: apiVersion, kind: try JSONScanner.required(kind), name: try JSONScanner.required(name))
    }

    /// An ObjectMeta into `meta` (which starts empty). Read into the value's final place:
    /// returning it from here made the optimiser copy it (every string and map retained
    /// once more, then released).
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
            case .ownerReferences: meta.ownerReferences = try ownerReferences(&s)
            default: try s.skipValue()
            }
        }
    }

    /// `[OwnerReference]` or `null`.
    static func ownerReferences(_ s: inout JSONScanner) throws(Unsupported) -> [OwnerReference]? {
        if try s.readNull() { return nil }
        var refs: [OwnerReference] = []
        var elements = try s.elements()
        while try s.nextElement(&elements) { refs.append(try ownerReference(&s)) }
        return refs
    }

    private static func ownerReference(_ s: inout JSONScanner) throws(Unsupported) -> OwnerReference {
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
        return OwnerReference(
            apiVersion: try JSONScanner.required(apiVersion), kind: try JSONScanner.required(kind),
            name: try JSONScanner.required(name), uid: try JSONScanner.required(uid),
            controller: controller, blockOwnerDeletion: blockOwnerDeletion)
    }
}
