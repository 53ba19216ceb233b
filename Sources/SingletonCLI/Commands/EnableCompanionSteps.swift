import KubeAPIMachinery
import SingletonCore

/// The companion steps of `enable`: each reports on its own line, and warns only about what
/// it actually did.
extension EnableCommand {
    static let drainWarning =
        "the PodDisruptionBudget (maxUnavailable 0) blocks voluntary evictions of the healthy pod: kubectl drain waits until you delete the pod yourself"

    /// What keeps the annotation from doing its job, said once the workload is marked: an
    /// HPA (or KEDA's) that will keep trying to scale it out, or no webhook to enforce it.
    /// Reads that fail say nothing: these are warnings, not checks.
    func warnAboutEffect(_ api: any KubeAPI, workload: Workload, namespace: String, steps: StepReport) async {
        let name = workload.metadata.name ?? ""
        var fromKEDA: Set<String> = []
        if let hpas = try? await api.get(CompanionPaths.hpas(namespace))["items"]?.arrayValue {
            for hpa in SingletonAnalyzer.scalingAutoscalers(hpas, of: workload, name: name, namespace: namespace) {
                steps.warn([
                    "HorizontalPodAutoscaler \(hpa.name) targets it with maxReplicas \(hpa.maxReplicas)\(hpa.origin): the webhook denies its scale-ups past 1; set maxReplicas: 1"
                ])
            }
            fromKEDA = Set(hpas.compactMap { $0[path: "metadata", "labels", "scaledobject.keda.sh/name"]?.stringValue })
        }
        // A ScaledObject whose HPA is not there yet (KEDA installed, the HPA not made).
        if let scaledObjects = try? await api.get("/apis/keda.sh/v1alpha1/namespaces/\(namespace)/scaledobjects")[
            "items"]?.arrayValue
        {
            for object in scaledObjects {
                let objectName = object.name
                guard let scaled = try? ScaledObject.decode(object.serialized()),
                    scaled.spec.scaleTargetRef.name == name, !fromKEDA.contains(objectName),
                    scaled.effectiveMaxReplicaCount > 1, scaled.targetKind == workload.kind
                else { continue }
                let max = scaled.effectiveMaxReplicaCount
                steps.warn([
                    "KEDA ScaledObject \(objectName) targets it with maxReplicaCount \(max): the webhook denies the scale-ups past 1 of its HPA; set maxReplicaCount: 1"
                ])
            }
        }
        if let configs = try? await api.get(CompanionPaths.webhookConfigurations)["items"]?.arrayValue,
            !SingletonAnalyzer.webhookInstalled(configs)
        {
            steps.warn([
                "the kube-singleton webhook is not installed: nothing enforces the annotation until it is (kubectl singleton install)"
            ])
        }
    }

    /// `--pdb`: reuses a compatible budget that already selects the pods (reported, never
    /// owned), refuses when another would make two, says so when a policy engine rejects
    /// ours, and otherwise creates (or keeps in line) `NAME-singleton`.
    func pdbStep(_ api: any KubeAPI, workload: Workload, namespace: String, steps: StepReport) async -> JSONValue? {
        let ours = "poddisruptionbudget.policy/\(Companions.pdbName(for: workload))"
        let existing: [JSONValue]
        do {
            existing = try await api.get(CompanionPaths.pdbs(namespace))["items"]?.arrayValue ?? []
        } catch {
            steps.fail(ours, error)
            return nil
        }
        switch Companions.pdbChoice(existing: existing, for: workload) {
        case .reuse(let name, let budget):
            steps.done(
                "poddisruptionbudget.policy/\(name) reused: it already selects the pods with \(budget) (not managed by kubectl-singleton, left as it is); \(ours) not created"
            )
            return nil
        case .refuse(let reason):
            steps.fail(ours, CLIError("not created: \(reason)"))
            return nil
        case .create:
            var result: JSONValue?
            var created = false
            await steps.run(ours) {
                let object = try Companions.pdb(for: workload)
                do {
                    let (value, verb) = try await CompanionSync(api: api, dryRun: dryRun)
                        .ensure(object, collection: CompanionPaths.pdbs(namespace), ownerUID: workload.metadata.uid)
                    result = value
                    created = verb.hasPrefix("created")
                    return verb
                } catch let failure as KubeAPIError where Companions.isPolicyDenial(failure) {
                    throw CLIError(
                        """
                        refused by a policy in the cluster: \(failure.message). Policy engines such as Gatekeeper \
                        (k8spoddisruptionbudget) and Kyverno (pdb-maxunavailable) reject maxUnavailable: 0. \
                        The annotation is set; rerun without --pdb to skip the PDB, or ask for an exception to the policy
                        """)
                }
            }
            if created { steps.warn([Self.drainWarning]) }
            return result
        }
    }
}
