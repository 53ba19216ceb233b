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
        let name = hpa.metadata.name ?? request.name ?? "(unnamed)"
        let hpaName = "HorizontalPodAutoscaler \(ref.namespace)/\(name)"
        switch parent {
        case .found(let meta)?:
            switch meta.contract {
            case .absent:
                return .allow(.notOurs)
            case .invalid(let error, _):
                return .deny(.unknownMode, message: Messages.unknownMode(ref.description, error))
            case .valid(let spec):
                if decreasing {
                    return .allow(
                        .decrease, mode: spec.mode,
                        warnings: [
                            "\(hpaName) still lets singleton \(ref) scale to \(hpa.spec.maxReplicas); set maxReplicas to 1."
                        ])
                }
                return .deny(
                    .horizontalPodAutoscaler, mode: spec.mode,
                    message: Messages.hpaDenied(
                        hpaName, target: ref.description, spec.mode, maxReplicas: hpa.spec.maxReplicas))
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
