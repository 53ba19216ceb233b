/// What `WorkloadRule` reads of a workload: the kind, the names for messages, the two
/// annotations, the owning Deployment, the replicas and a Deployment's or Rollout's strategy.
///
/// Why: the webhook's common request, a workload CREATE or UPDATE, used to be decoded into
/// two full `Workload`s (every string, label map and port, each built, copied and destroyed)
/// for a rule that reads these few values; that was most of its CPU per request. The byte
/// reader (`ReviewReader`) reads only these; a workload of the Codable model gives the same
/// through `init(_:)`, so the rule is written once, over these.
struct WorkloadFacts: Equatable {
    var kind: WorkloadKind
    var name: String?
    var generateName: String?
    var namespace: String?
    /// The raw values of `kube-singleton.dev/mode` and `kube-singleton.dev/lease`.
    var mode: String?
    var lease: String?
    /// The name in the first owner reference to a Deployment of group `apps`.
    var owningDeployment: String?
    var replicas: Int?
    /// Deployments only, as in `Workload`.
    var strategy: DeploymentStrategy?
    /// Rollouts only, as in `Workload`.
    var rolloutStrategy: RolloutStrategy?

    init(kind: WorkloadKind) { self.kind = kind }

    /// The facts of a workload of the Codable model: what the byte reader reads of the same
    /// JSON (the differential tests compare the two).
    init(_ workload: Workload) {
        kind = workload.kind
        name = workload.metadata.name
        generateName = workload.metadata.generateName
        namespace = workload.metadata.namespace
        mode = workload.metadata.annotations?[SingletonAnnotation.mode]
        lease = workload.metadata.annotations?[SingletonAnnotation.lease]
        owningDeployment = workload.owningDeployment
        replicas = workload.replicas
        strategy = workload.strategy
        rolloutStrategy = workload.rolloutStrategy
    }

    /// Whether an update starts a second pod before the first stops (Deployments and Rollouts).
    var surges: Bool {
        switch kind {
        case .deployment: return (strategy ?? DeploymentStrategy()).surges
        case .rollout: return rolloutStrategy?.surges ?? false
        default: return false
        }
    }

    var contract: ContractState { ContractState(mode: mode, lease: lease) }

    /// Replicas the API will run: `spec.replicas`, defaulted to 1 when absent.
    var effectiveReplicas: Int { replicas ?? 1 }

    /// "Deployment shop/web", for messages.
    func describe(requestNamespace: String?, requestName: String?) -> String {
        Messages.describe(
            kind, name: name, generateName: generateName, namespace: namespace,
            requestNamespace: requestNamespace, requestName: requestName)
    }
}
