/// Denial and warning texts. Each names the object, the mode, the offending value, the
/// annotation and the fix, because the person reading it is mid-`kubectl` and needs to
/// know what to type next.
enum Messages {
    /// "Kind namespace/name", from the object, else the request's namespace and name.
    static func describe(
        _ kind: WorkloadKind, name: String?, generateName: String?, namespace: String?,
        requestNamespace: String?, requestName: String?
    ) -> String {
        let ns = namespace ?? requestNamespace
        let name = name ?? requestName ?? generateName.map { "\($0)*" } ?? "(unnamed)"
        return ns.map { "\(kind.rawValue) \($0)/\(name)" } ?? "\(kind.rawValue) \(name)"
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

    static func stillAbove(_ obj: String, replicas: Int) -> String {
        "\(obj) is a singleton and still has \(replicas) replicas after this change; scale it to 1."
    }

    static func stillSurging(_ obj: String) -> String {
        "\(obj) is at-most-one but its strategy still surges; set spec.strategy.type=Recreate."
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

    static func hpaDenied(_ hpa: String, target: String, _ mode: SingletonMode, maxReplicas: Int) -> String {
        "\(hpa) targets \(target), a singleton (\(annotation(mode))), with maxReplicas \(maxReplicas). "
            + "Set spec.maxReplicas to 1, or remove the annotation \(SingletonAnnotation.mode) from \(target) to let it scale."
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
