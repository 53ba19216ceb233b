/// A workload (Deployment, StatefulSet, ReplicaSet, ReplicationController, Rollout) read as
/// `WorkloadFacts`: the values the rule reads are kept, and every other field the Codable
/// model decodes (`RawWorkload`, `ObjectMeta`, `LabelSelector`, ...) has its type checked
/// without being built, so a workload read here is one the model decodes, to the same facts.
/// The one place it is more lenient is a key seen twice in a map the rules do not read
/// (labels, selectors): `JSONDecoder` keeps the first value there, and nothing depends on either.
extension ReviewReader {
    /// The workload at the scanner's position (an object; `null` is the caller's business).
    static func workload(_ s: inout JSONScanner, into w: inout WorkloadFacts) throws(Unsupported) {
        var members = try s.members()
        while let field = try s.nextMember(&members) {
            switch field {
            case .apiVersion, .kind: try s.skipOptionalString()
            case .metadata: if try !s.nullOrObject() { try objectMeta(&s, into: &w, keep: true) }
            case .spec: if try !s.nullOrObject() { try spec(&s, into: &w) }
            case .status: if try !s.nullOrObject() { try status(&s) }
            default: try s.skipValue()
            }
        }
    }

    /// An ObjectMeta: names and annotations kept when `keep` (the workload's own, not its
    /// template's), the rest checked.
    private static func objectMeta(_ s: inout JSONScanner, into w: inout WorkloadFacts, keep: Bool) throws(Unsupported)
    {
        var members = try s.members()
        while let field = try s.nextMember(&members) {
            switch field {
            case .name where keep: w.name = try s.optionalString()
            case .generateName where keep: w.generateName = try s.optionalString()
            case .namespace where keep: w.namespace = try s.optionalString()
            case .name, .generateName, .namespace, .uid, .resourceVersion: try s.skipOptionalString()
            case .labels: try s.checkOptionalStringMap()
            case .annotations:
                if keep { try annotations(&s, into: &w) } else { try s.checkOptionalStringMap() }
            case .ownerReferences:
                if try s.readNull() { continue }
                var elements = try s.elements()
                while try s.nextElement(&elements) {
                    if let owner = try deploymentOwner(&s), keep, w.owningDeployment == nil {
                        w.owningDeployment = owner
                    }
                }
            default: try s.skipValue()
            }
        }
    }

    /// The two contract keys, in this order (`mapKey`'s index).
    private static let contractKeys = [Array(SingletonAnnotation.mode.utf8), Array(SingletonAnnotation.lease.utf8)]

    /// The annotations map: the two contract values read, every other value checked to be
    /// a string. Either contract key twice (however it is spelled) is unsupported:
    /// `JSONDecoder` keeps the first.
    private static func annotations(_ s: inout JSONScanner, into w: inout WorkloadFacts) throws(Unsupported) {
        if try s.readNull() { return }
        try s.expect(UInt8(ascii: "{"))
        var started = false
        while try s.continues(&started, close: UInt8(ascii: "}")) {
            switch try s.mapKey(among: contractKeys) {
            case 0?:
                guard w.mode == nil else { throw Unsupported() }
                w.mode = try s.readString()
            case 1?:
                guard w.lease == nil else { throw Unsupported() }
                w.lease = try s.readString()
            default:
                try s.checkString()
            }
        }
    }

    /// One owner reference, checked as the model's `OwnerReference` decodes it; its name when
    /// it names a Deployment of group `apps` (`ObjectMeta.owningDeployment`).
    private static func deploymentOwner(_ s: inout JSONScanner) throws(Unsupported) -> String? {
        var apiVersion: String?, kind: String?, name: String?, uid = false
        var members = try s.members()
        while let field = try s.nextMember(&members) {
            switch field {
            case .apiVersion: apiVersion = try s.readString()
            case .kind: kind = try s.readString()
            case .name: name = try s.readString()
            case .uid: try s.checkString(); uid = true
            case .controller, .blockOwnerDeletion: _ = try s.optionalBool()
            default: try s.skipValue()
            }
        }
        guard let apiVersion, let kind, let name, uid else { throw Unsupported() }
        return kind == "Deployment" && groupOf(apiVersion: apiVersion) == "apps" ? name : nil
    }

    private static func spec(_ s: inout JSONScanner, into w: inout WorkloadFacts) throws(Unsupported) {
        var members = try s.members()
        while let field = try s.nextMember(&members) {
            switch field {
            case .replicas: w.replicas = try s.optionalInt()
            case .selector: if try !s.nullOrObject() { try selector(&s) }
            case .strategy:
                // Read both ways for every kind, as the model decodes it.
                let (strategy, rollout) = try s.nullOrObject() ? (nil, nil) : try strategy(&s)
                if w.kind == .deployment { w.strategy = strategy }
                if w.kind == .rollout { w.rolloutStrategy = rollout }
            case .serviceName: try s.skipOptionalString()
            case .template: if try !s.nullOrObject() { try template(&s, into: &w) }
            default: try s.skipValue()
            }
        }
    }

    /// A LabelSelector in either shape (`matchLabels`/`matchExpressions`, or a
    /// ReplicationController's plain map); mixed or unusual shapes are left to the model.
    private static func selector(_ s: inout JSONScanner) throws(Unsupported) {
        var structured = false, plain = false
        var members = try s.members()
        while let field = try s.nextMember(&members) {
            switch field {
            case .matchLabels:
                guard !plain else { throw Unsupported() }
                structured = true
                try s.checkOptionalStringMap()
            case .matchExpressions:
                guard !plain else { throw Unsupported() }
                structured = true
                if try s.readNull() { continue }
                var elements = try s.elements()
                while try s.nextElement(&elements) { try requirement(&s) }
            default:
                guard !structured else { throw Unsupported() }
                plain = true
                try s.checkString()
            }
        }
    }

    private static func requirement(_ s: inout JSONScanner) throws(Unsupported) {
        var key = false, op = false
        var members = try s.members()
        while let field = try s.nextMember(&members) {
            switch field {
            case .key: try s.checkString(); key = true
            case .op: try s.checkString(); op = true
            case .values: try s.checkOptionalStringArray()
            default: try s.skipValue()
            }
        }
        guard key, op else { throw Unsupported() }
    }

    /// A Deployment's strategy and a Rollout's (`blueGreen`, `canary`): read, the rule
    /// judges their surge.
    private static func strategy(
        _ s: inout JSONScanner
    ) throws(Unsupported) -> (DeploymentStrategy, RolloutStrategy) {
        var strategy = DeploymentStrategy()
        var rollout = RolloutStrategy()
        var members = try s.members()
        while let field = try s.nextMember(&members) {
            switch field {
            case .blueGreen:
                if try s.nullOrObject() { continue }
                try s.skipValue()  // any object: only its presence counts
                rollout.blueGreen = RolloutStrategy.PresentObject()
            case .canary:
                if try s.nullOrObject() { continue }
                var canary = RolloutStrategy.Canary()
                var fields = try s.members()
                while let field = try s.nextMember(&fields) {
                    switch field {
                    case .maxSurge: canary.maxSurge = try s.optionalIntOrString()
                    case .maxUnavailable: canary.maxUnavailable = try s.optionalIntOrString()
                    case .trafficRouting:
                        if try s.nullOrObject() { continue }
                        try s.skipValue()  // any object: only its presence counts
                        canary.trafficRouting = RolloutStrategy.PresentObject()
                    default: try s.skipValue()
                    }
                }
                rollout.canary = canary
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
        return (strategy, rollout)
    }

    private static func template(_ s: inout JSONScanner, into w: inout WorkloadFacts) throws(Unsupported) {
        var members = try s.members()
        while let field = try s.nextMember(&members) {
            switch field {
            case .metadata: if try !s.nullOrObject() { try objectMeta(&s, into: &w, keep: false) }
            case .spec: if try !s.nullOrObject() { try podSpec(&s) }
            default: try s.skipValue()
            }
        }
    }

    private static func podSpec(_ s: inout JSONScanner) throws(Unsupported) {
        var members = try s.members()
        while let field = try s.nextMember(&members) {
            guard field == .containers else { try s.skipValue(); continue }
            if try s.readNull() { continue }
            var containers = try s.elements()
            while try s.nextElement(&containers) {
                guard try !s.nullOrObject() else { throw Unsupported() }
                var fields = try s.members()
                while let field = try s.nextMember(&fields) {
                    guard field == .ports else { try s.skipValue(); continue }
                    if try s.readNull() { continue }
                    var ports = try s.elements()
                    while try s.nextElement(&ports) { try containerPort(&s) }
                }
            }
        }
    }

    private static func containerPort(_ s: inout JSONScanner) throws(Unsupported) {
        var number = false
        var members = try s.members()
        while let field = try s.nextMember(&members) {
            switch field {
            case .name, .proto: try s.skipOptionalString()
            case .containerPort: _ = try s.readInt(); number = true
            default: try s.skipValue()
            }
        }
        guard number else { throw Unsupported() }
    }

    private static func status(_ s: inout JSONScanner) throws(Unsupported) {
        var members = try s.members()
        while let field = try s.nextMember(&members) {
            switch field {
            case .replicas, .readyReplicas, .availableReplicas: _ = try s.optionalInt()
            default: try s.skipValue()
            }
        }
    }
}
