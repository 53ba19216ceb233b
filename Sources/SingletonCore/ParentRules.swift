/// Scale subresource updates (`kubectl scale`, the HPA controller): the Scale carries no
/// annotations, so the verdict rests on the parent's metadata.
enum ScaleRule {
    static func decide(
        _ request: AdmissionRequest, ref: ParentReference?, parent: ParentLookup?,
        policy: UnverifiedParentPolicy
    ) -> AdmissionDecision {
        guard case .scale(let scale)? = request.object else {
            return .deny(.malformed, message: "scale \(request.operation.rawValue) request carries no Scale object")
        }
        let desired = scale.desiredReplicas
        guard desired > 1 else { return .allow(.compliant) }
        guard case .scale(let kind) = request.subject, let ref else {
            return .deny(.malformed, message: "scale request for \(request.resource.resource) names no object")
        }
        var decreasing = false, raised = true
        if case .scale(let old)? = request.oldObject {
            decreasing = old.desiredReplicas > desired
            raised = old.desiredReplicas < desired
        }

        let meta: ObjectMeta
        switch parent {
        case .found(let m)?:
            if let expected = ref.expectedUID, let actual = m.uid, !expected.isEmpty, expected != actual {
                return unverified(
                    ref, "the Scale's uid \(expected) does not match \(kind.rawValue) uid \(actual)", policy)
            }
            meta = m
        case .notFound?:
            return unverified(ref, "not found", policy)
        case .unavailable(let reason)?:
            return unverified(ref, reason, policy)
        case nil:
            return unverified(ref, "no lookup was made", policy)
        }
        let obj = ref.description
        if kind == .replicaSet, let owner = meta.owningDeployment {
            return OwnedReplicaSet.decide(
                { obj }, owner: { "\(WorkloadKind.deployment.rawValue) \(ref.namespace)/\(owner)" },
                contract: meta.contract,
                replicas: desired, raised: raised, username: request.username)
        }
        switch meta.contract {
        case .absent:
            return .allow(.notOurs)
        case .invalid(let error, _):
            if decreasing { return .allow(.decrease, warnings: [Messages.invalidKept(obj, error)]) }
            return .deny(.unknownMode, message: Messages.unknownMode(obj, error))
        case .valid(let spec):
            if decreasing {
                return .allow(.decrease, mode: spec.mode, warnings: [Messages.stillAbove(obj, replicas: desired)])
            }
            return .deny(.replicas, mode: spec.mode, message: Messages.scaleDenied(obj, spec.mode, replicas: desired))
        }
    }
}

/// HorizontalPodAutoscalers aimed at a singleton with room to scale past one replica.
enum HPARule {
    static func decide(
        _ request: AdmissionRequest, ref: ParentReference?, parent: ParentLookup?,
        policy: UnverifiedParentPolicy
    ) -> AdmissionDecision {
        guard case .horizontalPodAutoscaler(let hpa)? = request.object else {
            return .deny(
                .malformed, message: "HorizontalPodAutoscaler \(request.operation.rawValue) request carries no object")
        }
        guard hpa.spec.maxReplicas > 1, let ref else {
            return .allow(.notOurs)
        }
        var decreasing = false
        if case .horizontalPodAutoscaler(let old)? = request.oldObject,
            old.spec.scaleTargetRef == hpa.spec.scaleTargetRef
        {
            decreasing = old.spec.maxReplicas > hpa.spec.maxReplicas
        }
        let scaler = AutoscalerRule.Scaler(
            kind: "HorizontalPodAutoscaler", name: hpa.metadata.name ?? request.name, rule: .horizontalPodAutoscaler,
            field: "maxReplicas", maximum: hpa.spec.maxReplicas, defaulted: false, decreasing: decreasing)
        return AutoscalerRule.decide(scaler, ref: ref, parent: parent, policy: policy)
    }
}

/// KEDA ScaledObjects aimed at a singleton: KEDA drives an HPA of its own up to
/// `maxReplicaCount`, 100 when unset.
enum ScaledObjectRule {
    static func decide(
        _ request: AdmissionRequest, ref: ParentReference?, parent: ParentLookup?,
        policy: UnverifiedParentPolicy
    ) -> AdmissionDecision {
        guard case .scaledObject(let scaled)? = request.object else {
            return .deny(.malformed, message: "ScaledObject \(request.operation.rawValue) request carries no object")
        }
        let maximum = scaled.effectiveMaxReplicaCount
        guard maximum > 1, let ref else { return .allow(.notOurs) }
        var decreasing = false
        if case .scaledObject(let old)? = request.oldObject, old.spec.scaleTargetRef == scaled.spec.scaleTargetRef {
            decreasing = old.effectiveMaxReplicaCount > maximum
        }
        let scaler = AutoscalerRule.Scaler(
            kind: "ScaledObject", name: scaled.metadata.name ?? request.name, rule: .scaledObject,
            field: "maxReplicaCount", maximum: maximum, defaulted: scaled.spec.maxReplicaCount == nil,
            decreasing: decreasing)
        return AutoscalerRule.decide(scaler, ref: ref, parent: parent, policy: policy)
    }
}

/// What an HPA and a ScaledObject share: an autoscaler with room past one replica is denied
/// when its target, as looked up, is a singleton.
enum AutoscalerRule {
    /// The autoscaler; its texts are built only for a message (most requests need none).
    struct Scaler {
        var kind: String
        var name: String?
        var rule: DecisionRule
        /// The name of its maximum in `spec` (`maxReplicas`, `maxReplicaCount`).
        var field: String
        var maximum: Int
        /// The maximum is KEDA's default for an unset `maxReplicaCount`.
        var defaulted: Bool
        /// The maximum went down, for the same target: a move toward compliance.
        var decreasing: Bool

        /// "HorizontalPodAutoscaler shop/web".
        func description(_ namespace: String) -> String { "\(kind) \(namespace)/\(name ?? "(unnamed)")" }
        /// The maximum as a message says it.
        var said: String { defaulted ? "\(maximum) (KEDA's default when unset)" : String(maximum) }
    }

    static func decide(
        _ scaler: Scaler, ref: ParentReference, parent: ParentLookup?, policy: UnverifiedParentPolicy
    ) -> AdmissionDecision {
        switch parent {
        case .found(let meta)?:
            switch meta.contract {
            case .absent:
                return .allow(.notOurs)
            case .invalid(let error, _):
                return .deny(.unknownMode, message: Messages.unknownMode(ref.description, error))
            case .valid(let spec):
                if scaler.decreasing {
                    return .allow(
                        .decrease, mode: spec.mode,
                        warnings: [
                            Messages.autoscalerStillAbove(
                                scaler.description(ref.namespace), target: ref.description,
                                field: scaler.field, value: scaler.maximum)
                        ])
                }
                return .deny(
                    scaler.rule, mode: spec.mode,
                    message: Messages.autoscalerDenied(
                        scaler.description(ref.namespace), target: ref.description, spec.mode,
                        field: scaler.field, value: scaler.said))
            }
        case .notFound?:
            // Nothing to protect yet; if the target is created later as a singleton, its
            // scale requests are still judged by the scale rule.
            return .allow(.notOurs)
        case .unavailable(let reason)?:
            return unverified(ref, reason, policy)
        case nil:
            return unverified(ref, "no lookup was made", policy)
        }
    }
}

func unverified(_ ref: ParentReference, _ reason: String, _ policy: UnverifiedParentPolicy) -> AdmissionDecision {
    switch policy {
    case .allow:
        return .allow(.unverifiedParent, warnings: [Messages.unverifiedAllowed(ref, reason: reason)])
    case .deny:
        return .deny(.unverifiedParent, message: Messages.unverifiedDenied(ref, reason: reason))
    }
}
