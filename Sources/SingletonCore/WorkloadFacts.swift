/// What `WorkloadRule` reads of a workload: the kind, the names for messages, the two
/// annotations, whether a Deployment owns it, the replicas and a Deployment's strategy.
///
/// Why: the webhook's common request, a workload CREATE or UPDATE, used to be decoded into
/// two full `Workload`s (every string, label map and port, each built, copied and destroyed)
/// for a rule that reads these few values; that was most of its CPU per request. The
/// workload lane (`SingletonPolicy.laneStep`) reads only these, with `FactsReader`
/// checking the types of everything else, so it decides exactly as the full path does.
struct WorkloadFacts: Equatable {
    var kind: WorkloadKind
    var name: String?
    var generateName: String?
    var namespace: String?
    /// The raw values of `kube-singleton.dev/mode` and `kube-singleton.dev/lease`.
    var mode: String?
    var lease: String?
    /// Some owner reference is a Deployment of group `apps`.
    var ownedByDeployment = false
    /// The name in the first such owner reference.
    var owningDeployment: String?
    var replicas: Int?
    /// Deployments only, as in `Workload`.
    var strategy: DeploymentStrategy?

    init(kind: WorkloadKind) { self.kind = kind }
}

/// What the workload rule needs of a workload; `Workload` and `WorkloadFacts` both provide
/// it, so the rule is written once and decides the same for both.
protocol RuleWorkload {
    var kind: WorkloadKind { get }
    var isOwnedByDeployment: Bool { get }
    /// The name of the first owner reference to an `apps` Deployment.
    var owningDeployment: String? { get }
    var contract: ContractState { get }
    var effectiveReplicas: Int { get }
    var strategy: DeploymentStrategy? { get }
    /// "Deployment shop/web", for messages.
    func describe(requestNamespace: String?, requestName: String?) -> String
}

extension Workload: RuleWorkload {
    var contract: ContractState { metadata.contract }

    func describe(requestNamespace: String?, requestName: String?) -> String {
        Messages.describe(kind, name: metadata.name, generateName: metadata.generateName, namespace: metadata.namespace,
                          requestNamespace: requestNamespace, requestName: requestName)
    }
}

extension WorkloadFacts: RuleWorkload {
    var isOwnedByDeployment: Bool { ownedByDeployment }
    var contract: ContractState { ContractState(mode: mode, lease: lease) }
    var effectiveReplicas: Int { replicas ?? 1 }

    func describe(requestNamespace: String?, requestName: String?) -> String {
        Messages.describe(kind, name: name, generateName: generateName, namespace: namespace,
                          requestNamespace: requestNamespace, requestName: requestName)
    }
}
