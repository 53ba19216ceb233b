/// Denial and warning texts. Each names the object, the mode, the offending value, the
/// annotation and the fix, because the person reading it is mid-`kubectl` and needs to
/// know what to type next.
enum Messages {
    /// "Kind namespace/name", from the object, else the request's namespace and name.
    static func describe(
        _ kind: WorkloadKind, name: String?, generateName: String?, namespace: String?,
        requestNamespace: String?, requestName: String?
    ) -> String {
        describe(
            kind.rawValue, name: name, generateName: generateName, namespace: namespace,
            requestNamespace: requestNamespace, requestName: requestName)
    }

    /// `describe` for any kind, by its name ("CronJob", "ScaledObject").
    static func describe(
        _ kind: String, name: String?, generateName: String?, namespace: String?,
        requestNamespace: String?, requestName: String?
    ) -> String {
        let ns = namespace ?? requestNamespace
        let name = name ?? requestName ?? generateName.map { "\($0)*" } ?? "(unnamed)"
        return ns.map { "\(kind) \($0)/\(name)" } ?? "\(kind) \(name)"
    }

    static func annotation(_ mode: SingletonMode) -> String { "\(SingletonAnnotation.mode)=\(mode)" }

    static func tooManyReplicas(_ obj: String, _ mode: SingletonMode, replicas: Int) -> String {
        "\(obj) is a singleton (\(annotation(mode))) and may run at most 1 replica, but spec.replicas would be \(replicas). "
            + "Set spec.replicas to 1, or remove the annotation \(SingletonAnnotation.mode) to scale out."
    }

    static func annotationAddedWhileScaled(_ obj: String, _ mode: SingletonMode, replicas: Int) -> String {
        "cannot mark \(obj) as a singleton (\(annotation(mode))) while spec.replicas is \(replicas): "
            + "scale it to 1 first, or set spec.replicas: 1 in the same change."
    }

    static func surge(_ obj: String, _ strategy: DeploymentStrategy) -> String {
        let surge = strategy.rollingUpdate?.maxSurge.map { "maxSurge \($0)" } ?? "maxSurge 25%, the default"
        return
            "\(obj) is an at-most-one singleton (\(annotation(.atMostOne))), but its rollout strategy starts a second pod "
            + "before stopping the first (RollingUpdate with \(surge)). Set spec.strategy.type=Recreate "
            + "(or rollingUpdate.maxSurge=0 with maxUnavailable=1), or use mode at-least-one if a brief overlap is acceptable."
    }

    static func unknownMode(_ obj: String, _ error: ContractError) -> String {
        "\(obj): \(error)."
    }

    static let deploymentAtMostOneCaveat =
        "at-most-one on a Deployment: a deleted or evicted pod is replaced before it has stopped, so two pods can briefly run; use a StatefulSet for a strict guarantee."

    /// The caveat of at-most-one on a kind whose ReplicaSets replace a pod before it stops.
    static func atMostOneCaveat(_ kind: WorkloadKind) -> String? {
        switch kind {
        case .deployment: return deploymentAtMostOneCaveat
        case .rollout:
            return
                "at-most-one on a Rollout: a deleted or evicted pod is replaced before it has stopped, so two pods can briefly run; use a StatefulSet for a strict guarantee."
        default: return nil
        }
    }

    static func rolloutSurge(_ obj: String, _ strategy: RolloutStrategy) -> String {
        let what: String
        if strategy.blueGreen != nil {
            what = "its blueGreen strategy runs the preview and the active ReplicaSet side by side"
        } else if strategy.canary?.trafficRouting != nil {
            what =
                "its canary strategy with trafficRouting keeps the stable ReplicaSet at full scale while the canary runs"
        } else {
            let surge = strategy.canary?.maxSurge.map { "maxSurge \($0)" } ?? "maxSurge 25%, the default"
            what = "its canary strategy starts a second pod before stopping the first (\(surge))"
        }
        return
            "\(obj) is an at-most-one singleton (\(annotation(.atMostOne))), but \(what). Use spec.strategy.canary "
            + "with maxSurge: 0 and maxUnavailable: 1 (and no trafficRouting), or use mode at-least-one if a brief overlap is acceptable."
    }

    static func stillAbove(_ obj: String, replicas: Int) -> String {
        "\(obj) is a singleton and still has \(replicas) replicas after this change; scale it to 1."
    }

    static func stillSurging(_ obj: String, _ kind: WorkloadKind) -> String {
        let fix = kind == .rollout ? "spec.strategy.canary.maxSurge=0" : "spec.strategy.type=Recreate"
        return "\(obj) is at-most-one but its strategy still surges; set \(fix)."
    }

    static func scaleDenied(_ obj: String, _ mode: SingletonMode, replicas: Int) -> String {
        "\(obj) is a singleton (\(annotation(mode))): scaling to \(replicas) replicas is denied. "
            + "Scale to 1 (or 0), or remove the annotation \(SingletonAnnotation.mode) to scale out."
    }

    static func ownedReplicaSetScaled(_ obj: String, owner: String, replicas: Int) -> String {
        "\(obj) belongs to \(owner), a singleton (it carries \(SingletonAnnotation.mode)): scaling it to \(replicas) replicas is denied, "
            + "and the Deployment controller would scale it back. Scale \(owner) instead, or remove the annotation "
            + "\(SingletonAnnotation.mode) from \(owner) (not from the ReplicaSet: the Deployment controller copies it back) to scale out."
    }

    /// An autoscaler (`HorizontalPodAutoscaler ns/x`, `ScaledObject ns/x`) aimed at a singleton:
    /// `field` is its maximum's name, `value` that maximum as said ("100 (KEDA's default when unset)").
    static func autoscalerDenied(
        _ scaler: String, target: String, _ mode: SingletonMode, field: String, value: String
    ) -> String {
        "\(scaler) targets \(target), a singleton (\(annotation(mode))), with \(field) \(value). "
            + "Set spec.\(field) to 1, or remove the annotation \(SingletonAnnotation.mode) from \(target) to let it scale."
    }

    static func autoscalerStillAbove(_ scaler: String, target: String, field: String, value: Int) -> String {
        "\(scaler) still lets singleton \(target) scale to \(value); set \(field) to 1."
    }

    static func cronJobConcurrency(_ obj: String, _ mode: SingletonMode, policy: String) -> String {
        let defaulted = policy == CronJob.defaultConcurrencyPolicy
        let why: String
        switch policy {
        case "Allow": why = "a new Job starts while the previous one still runs"
        case "Replace": why = "the new Job starts while the old one's pods may still be terminating"
        default: why = "it is not a policy that keeps Jobs from overlapping"
        }
        let accepted = CronJob.acceptedConcurrencyPolicies(for: mode)
        let fix =
            mode == .atMostOne
            ? "Set spec.concurrencyPolicy: Forbid, or use mode at-least-one if a brief overlap is acceptable"
            : "Set spec.concurrencyPolicy: Forbid (or Replace)"
        return
            "\(obj) is a singleton (\(annotation(mode))), but spec.concurrencyPolicy is \(policy)\(defaulted ? " (the default)" : ""): "
            + "\(why). \(fix); \(mode) accepts \(accepted.joined(separator: " or "))."
    }

    /// `field` is `spec.parallelism` (a Job) or `spec.jobTemplate.spec.parallelism` (a CronJob).
    static func parallelism(_ obj: String, _ mode: SingletonMode, field: String, value: Int) -> String {
        "\(obj) is a singleton (\(annotation(mode))), but \(field) is \(value): its Job runs \(value) pods at once. "
            + "Set \(field) to 1, or remove the annotation \(SingletonAnnotation.mode) to run them in parallel."
    }

    static func parallelismStillAbove(_ obj: String, field: String, value: Int) -> String {
        "\(obj) is a singleton and still runs \(value) pods at once after this change; set \(field) to 1."
    }

    static func noStartingDeadline(_ obj: String) -> String {
        "\(obj) sets no spec.startingDeadlineSeconds, so missed runs count without bound: after an outage it may start "
            + "a run long after its schedule. Set spec.startingDeadlineSeconds (for example 300)."
    }

    static func unverifiedDenied(_ parent: ParentReference, reason: String) -> String {
        "cannot verify whether \(parent) is a singleton (\(reason)); denied because the webhook runs with --on-lookup-failure=deny. Retry shortly."
    }

    static func unverifiedAllowed(_ parent: ParentReference, reason: String) -> String {
        "kube-singleton could not verify whether \(parent) is a singleton (\(reason)); allowed without the singleton check."
    }

    static func optOut(_ obj: String) -> String {
        "\(obj) is no longer a singleton: the annotation \(SingletonAnnotation.mode) was removed."
    }

    static func invalidKept(_ obj: String, _ error: ContractError) -> String {
        "\(obj) carries an invalid singleton annotation and is not protected: \(error)."
    }
}
