/// The pure admission decision: given a request (and, for scale, HPA and ScaledObject requests, what is
/// known of the parent workload), allow or deny.
///
/// No I/O happens here, so every rule is tested table-driven without a server, and the
/// webhook's hot path is a straight line: decode, `parentReference`, lookup, `decide`.
public struct SingletonPolicy: Sendable {
    public var unverifiedParent: UnverifiedParentPolicy

    public init(unverifiedParent: UnverifiedParentPolicy = .allow) {
        self.unverifiedParent = unverifiedParent
    }

    /// The parent to look up before `decide`, or nil when the request needs none. Only
    /// requests that could raise a singleton above one replica ask for a lookup, so
    /// scale-downs and scale-to-one never touch the cache or the API.
    public func parentReference(for request: AdmissionRequest) -> ParentReference? {
        guard request.operation == .create || request.operation == .update else { return nil }
        switch (request.subject, request.object) {
        case (.scale(let kind), .scale(let scale)?):
            guard scale.desiredReplicas > 1, let ns = request.namespace ?? scale.metadata.namespace,
                let name = request.name ?? scale.metadata.name
            else { return nil }
            return ParentReference(kind: kind, namespace: ns, name: name, expectedUID: scale.metadata.uid)
        case (.horizontalPodAutoscaler, .horizontalPodAutoscaler(let hpa)?):
            guard hpa.spec.maxReplicas > 1, let kind = hpa.targetKind,
                let ns = request.namespace ?? hpa.metadata.namespace
            else { return nil }
            return ParentReference(kind: kind, namespace: ns, name: hpa.spec.scaleTargetRef.name)
        case (.scaledObject, .scaledObject(let scaled)?):
            guard scaled.effectiveMaxReplicaCount > 1, let kind = scaled.targetKind,
                let ns = request.namespace ?? scaled.metadata.namespace
            else { return nil }
            return ParentReference(kind: kind, namespace: ns, name: scaled.spec.scaleTargetRef.name)
        default:
            return nil
        }
    }

    /// Decides a request. `parent` is consulted only when `parentReference(for:)` asked
    /// for one; pass nil otherwise (or when the caller did not look it up, which counts as
    /// unverified).
    public func decide(_ request: AdmissionRequest, parent: ParentLookup? = nil) -> AdmissionDecision {
        decide(request, ref: parentReference(for: request), parent: parent)
    }

    /// `decide` with the parent reference the caller already computed to do the lookup.
    func decide(_ request: AdmissionRequest, ref: ParentReference?, parent: ParentLookup?) -> AdmissionDecision {
        guard request.operation == .create || request.operation == .update else { return .allow(.notOurs) }
        switch request.subject {
        case .workload:
            return WorkloadRule.decide(request)
        case .scale:
            return ScaleRule.decide(request, ref: ref, parent: parent, policy: unverifiedParent)
        case .horizontalPodAutoscaler:
            return HPARule.decide(request, ref: ref, parent: parent, policy: unverifiedParent)
        case .scaledObject:
            return ScaledObjectRule.decide(request, ref: ref, parent: parent, policy: unverifiedParent)
        case .cronJob:
            return CronJobRule.decide(request)
        case .job:
            return JobRule.decide(request)
        case .unsupportedKind(let kind):
            guard case .metadata(let meta)? = request.object, meta.contract.isPresent else { return .allow(.notOurs) }
            let ns = meta.namespace ?? request.namespace
            let name = meta.name ?? request.name ?? "(unnamed)"
            return .allow(
                .notOurs,
                warnings: [
                    UnsupportedKinds.warning(
                        kind: kind, object: ns.map { "\(kind) \($0)/\(name)" } ?? "\(kind) \(name)")
                ])
        case .notOurs:
            return .allow(.notOurs)
        }
    }
}
