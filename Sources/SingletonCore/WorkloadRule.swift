/// CREATE and UPDATE of a Deployment, StatefulSet, ReplicaSet, ReplicationController or Rollout.
enum WorkloadRule {
    /// A request of the Codable model, decided on its workloads' facts.
    static func decide(_ request: AdmissionRequest) -> AdmissionDecision {
        var new: WorkloadFacts? = nil, old: WorkloadFacts? = nil
        if case .workload(let w)? = request.object { new = WorkloadFacts(w) }
        if case .workload(let w)? = request.oldObject { old = WorkloadFacts(w) }
        return decide(new: new, old: old, request)
    }

    /// The rule over what it reads of the two objects (as `ReviewReader` reads them, or as
    /// the model gives them). `request` supplies the names and, when there is no object,
    /// the operation and resource for the message; its own objects are not read.
    static func decide(new: WorkloadFacts?, old: WorkloadFacts?, _ request: AdmissionRequest) -> AdmissionDecision {
        guard let new else {
            return .deny(
                .malformed,
                message: "\(request.operation.rawValue) request for \(request.resource.resource) carries no object")
        }
        // The object's name for messages, built only when there is a message: most requests
        // are plain allows and need none. (A function of what it needs: capturing the
        // whole request copied it.)
        let namespace = request.namespace, name = request.name
        func obj() -> String { new.describe(requestNamespace: namespace, requestName: name) }

        if new.kind == .replicaSet, let owner = new.owningDeployment {
            let replicas = new.effectiveReplicas
            func ownerName() -> String {
                Messages.describe(
                    .deployment, name: owner, generateName: nil, namespace: nil, requestNamespace: namespace,
                    requestName: nil)
            }
            return OwnedReplicaSet.decide(
                obj, owner: ownerName,
                contract: new.contract, replicas: replicas,
                raised: replicas > old.map(\.effectiveReplicas) ?? 0, username: request.username)
        }

        switch ContractGate.check(new.contract, old: { old?.contract ?? .absent }, obj: obj) {
        case .decided(let decision): return decision
        case .judge(let spec): return judge(new, old: old, spec: spec, obj: obj)
        }
    }

    private static func judge(
        _ new: WorkloadFacts, old: WorkloadFacts?, spec: SingletonSpec, obj: () -> String
    ) -> AdmissionDecision {
        let replicas = new.effectiveReplicas
        let surging = spec.mode == .atMostOne && new.surges
        let caveat = spec.mode == .atMostOne ? Messages.atMostOneCaveat(new.kind).map { [$0] } ?? [] : []

        guard replicas > 1 || surging else {
            return .allow(.compliant, mode: spec.mode, warnings: caveat)
        }
        // A move toward compliance is never blocked; warn about what is still wrong.
        if let old, old.effectiveReplicas > replicas {
            var warnings: [String] = []
            if replicas > 1 { warnings.append(Messages.stillAbove(obj(), replicas: replicas)) }
            if surging { warnings.append(Messages.stillSurging(obj(), new.kind)) }
            return .allow(.decrease, mode: spec.mode, warnings: warnings)
        }
        if replicas > 1 {
            let justMarked = !(old?.contract.isPresent ?? false)
            let message =
                justMarked
                ? Messages.annotationAddedWhileScaled(obj(), spec.mode, replicas: replicas)
                : Messages.tooManyReplicas(obj(), spec.mode, replicas: replicas)
            return .deny(.replicas, mode: spec.mode, message: message)
        }
        let message =
            new.kind == .rollout
            ? Messages.rolloutSurge(obj(), new.rolloutStrategy ?? RolloutStrategy())
            : Messages.surge(obj(), new.strategy ?? DeploymentStrategy())
        return .deny(.surge, mode: spec.mode, message: message)
    }
}

/// The part of every rule about the contract itself: no annotation (perhaps just removed:
/// the opt-out), an invalid one (kept as it was, or newly written), or a valid one for the
/// kind's own rule to judge.
enum ContractGate {
    enum Outcome {
        case decided(AdmissionDecision)
        case judge(SingletonSpec)
    }

    /// `old` is read only where it matters: most requests are decided without it.
    static func check(_ contract: ContractState, old: () -> ContractState, obj: () -> String) -> Outcome {
        switch contract {
        case .absent:
            if old().isPresent { return .decided(.allow(.optOut, warnings: [Messages.optOut(obj())])) }
            return .decided(.allow(.notOurs))
        case .invalid(let error, let raw):
            // A value that was already there before this change is not re-litigated on
            // every unrelated update (the object predates the webhook); say so instead.
            if case .invalid(_, let oldRaw) = old(), oldRaw == raw {
                return .decided(.allow(.unknownMode, warnings: [Messages.invalidKept(obj(), error)]))
            }
            return .decided(.deny(.unknownMode, message: Messages.unknownMode(obj(), error)))
        case .valid(let spec):
            return .judge(spec)
        }
    }
}

/// A ReplicaSet owned by a Deployment: the Deployment controller creates, scales and copies
/// the Deployment's annotations onto it, so its writes are never blocked (no rollout can get
/// stuck). A user who raises such a ReplicaSet above 1 replica, through the object or its
/// scale subresource, is denied and pointed at the owning Deployment, which the Deployment
/// controller would otherwise fight.
enum OwnedReplicaSet {
    /// The identities the Deployment controller writes as: its service account, or the
    /// controller manager's own when it runs without per-controller credentials.
    static let controllerUsernames: Set<String> = [
        "system:serviceaccount:kube-system:deployment-controller", "system:kube-controller-manager",
    ]

    static func decide(
        _ obj: () -> String, owner: () -> String, contract: ContractState, replicas: Int, raised: Bool,
        username: String?
    ) -> AdmissionDecision {
        guard contract.isPresent, replicas > 1, raised, !controllerUsernames.contains(username ?? "") else {
            return .allow(.ownedByDeployment)
        }
        return .deny(
            .replicas, mode: contract.spec?.mode,
            message: Messages.ownedReplicaSetScaled(obj(), owner: owner(), replicas: replicas))
    }
}
