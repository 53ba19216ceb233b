import Foundation
import KubeAPIMachinery
import SingletonCore

/// The objects around a singleton that its health depends on, read once per namespace, with
/// the index its joins use (rebuilt whenever a list changes).
public struct ClusterSnapshot: Sendable {
    public var pods: [PodSummary] { didSet { index = SnapshotIndex(self) } }
    public var podDisruptionBudgets: [JSONValue] { didSet { index = SnapshotIndex(self) } }
    public var services: [JSONValue] { didSet { index = SnapshotIndex(self) } }
    public var autoscalers: [JSONValue] { didSet { index = SnapshotIndex(self) } }
    public var leases: [JSONValue] { didSet { index = SnapshotIndex(self) } }
    /// nil when it could not be checked (RBAC).
    public var webhookInstalled: Bool?

    public init(
        pods: [PodSummary] = [], podDisruptionBudgets: [JSONValue] = [], services: [JSONValue] = [],
        autoscalers: [JSONValue] = [], leases: [JSONValue] = [], webhookInstalled: Bool? = nil
    ) {
        self.pods = pods
        self.podDisruptionBudgets = podDisruptionBudgets
        self.services = services
        self.autoscalers = autoscalers
        self.leases = leases
        self.webhookInstalled = webhookInstalled
        self.index = SnapshotIndex(
            pods: pods, podDisruptionBudgets: podDisruptionBudgets, services: services, autoscalers: autoscalers,
            leases: leases)
    }

    private(set) var index: SnapshotIndex
}

/// One risk to the singleton guarantee, in plain words, with a short token for tables.
public struct Risk: Sendable, Equatable {
    public var code: String
    public var message: String
}

/// The full picture of one singleton: what `status` prints and `list` summarises.
public struct SingletonReport: Sendable, Equatable {
    public var ref: ResourceRef
    public var namespace: String
    public var mode: String
    public var desired: Int
    public var ready: Int
    public var strategy: String?
    public var runningPods: [String]
    public var terminatingPods: [String]
    public var podDisruptionBudget: String?
    public var service: String?
    public var leaseName: String?
    public var leaseHolder: String?
    public var leaseView: LeaseView?
    public var risks: [Risk]
    /// `deny` or `warn` (annotation `kube-singleton.dev/enforcement`), as the webhook reads it.
    public var enforcement: String = "deny"
    /// Set for a CronJob: its schedule, policy, last run and active Jobs.
    public var cronJob: CronJobState? = nil
}

/// Builds `SingletonReport`s (pure: objects and a clock in, report out).
public enum SingletonAnalyzer {
    /// Judges one singleton against what surrounds it; every risk comes with the command that
    /// fixes it, with the namespace, the user's `connectionFlags` and the singleton's own mode,
    /// so running it changes nothing else.
    public static func analyze(
        _ workload: Workload, namespace: String, snapshot: ClusterSnapshot, now: Date,
        connectionFlags: [String] = []
    ) -> SingletonReport {
        let name = workload.metadata.name ?? ""
        let ref = ResourceRef(kind: .workload(workload.kind), name: name)
        var risks: [Risk] = []
        let contract = workload.metadata.contract
        let mode = workload.metadata.annotations?[SingletonAnnotation.mode] ?? ""
        let scope = (["-n", namespace] + Hints.redacted(connectionFlags)).map(Hints.shellQuoted).joined(separator: " ")
        let enable =
            "kubectl singleton enable \(ref) \(scope)" + (contract.spec.map { " --mode \($0.mode.rawValue)" } ?? "")
        if case .invalid(let error, _) = contract {
            risks.append(Risk(code: "bad-mode", message: "\(error); the webhook denies changes until it is fixed"))
        }

        let desired = workload.effectiveReplicas
        if desired > 1 {
            risks.append(
                Risk(
                    code: "replicas=\(desired)",
                    message:
                        "spec.replicas is \(desired); a singleton runs at most 1 (kubectl scale \(ref) --replicas=1 \(scope))"
                ))
        }

        let selector = workload.selector ?? LabelSelector(matchLabels: workload.templateLabels)
        // An empty selector would match every pod in the namespace: count none instead.
        let selects = !(selector.matchLabels ?? [:]).isEmpty || !(selector.matchExpressions ?? []).isEmpty
        let index = snapshot.index
        let own = (selects ? index.pods(in: namespace, selectedBy: selector) : []).map { snapshot.pods[$0] }.filter {
            $0.isActive && selector.matches($0.labels)
        }
        let running = own.filter { !$0.terminating }.map(\.name).sorted()
        let terminating = own.filter(\.terminating).map(\.name).sorted()
        if running.count > 1 {
            risks.append(
                Risk(
                    code: "pods=\(running.count)",
                    message: "\(running.count) pods are running: \(running.joined(separator: ", "))"))
        }
        if !terminating.isEmpty, running.count + terminating.count > 1, running.count <= 1 {
            risks.append(
                Risk(
                    code: "overlap",
                    message:
                        "\(terminating.count) terminating pod(s) still run next to the current one: \(terminating.joined(separator: ", "))"
                ))
        }

        var strategyText: String?
        if workload.kind == .deployment {
            let strategy = workload.strategy ?? DeploymentStrategy()
            strategyText = strategy.type ?? "RollingUpdate"
            if strategy.surges {
                strategyText = "RollingUpdate (maxSurge \(strategy.effectiveMaxSurge?.description ?? "25%"))"
                if contract.spec?.mode == .atMostOne {
                    risks.append(
                        Risk(
                            code: "surge",
                            message:
                                "the rollout strategy surges: a rollout runs two pods at once (\(enable) sets Recreate)"
                        ))
                }
            }
        }

        let aimed = index.autoscalers(targeting: name, in: namespace).map { snapshot.autoscalers[$0] }
        for hpa in scalingAutoscalers(aimed, of: workload, name: name, namespace: namespace) {
            risks.append(
                Risk(
                    code: "hpa/\(hpa.name)",
                    message:
                        "HorizontalPodAutoscaler \(hpa.name) can scale it to \(hpa.maxReplicas) replicas\(hpa.origin)"))
        }

        let podLabels = workload.templateLabels
        let pdb = (podLabels.isEmpty ? [] : index.pdbCandidates(in: namespace, podLabels: podLabels))
            .first { index.pdbSelector($0)?.matches(podLabels) == true }
            .map { snapshot.podDisruptionBudgets[$0] }
        let pdbName = pdb?[path: "metadata", "name"]?.stringValue
        let ownPDBName = "\(name)-singleton"
        if pdb == nil {
            if index.pdb(named: ownPDBName, in: namespace) != nil {
                risks.append(
                    Risk(
                        code: "pdb-mismatch",
                        message:
                            "PodDisruptionBudget \(ownPDBName) exists but does not select its pods (selector changed?); rerun \(enable) --pdb"
                    ))
            } else {
                risks.append(
                    Risk(
                        code: "no-pdb",
                        message:
                            "no PodDisruptionBudget selects its pods: a drain evicts the pod without a budget check (\(enable) --pdb)"
                    ))
            }
        } else if let pdb, !Companions.blocksEviction(pdb) {
            risks.append(
                Risk(
                    code: "pdb-loose",
                    message:
                        "PodDisruptionBudget \(pdbName ?? "") allows evicting the pod (\(Companions.budget(pdb)); neither maxUnavailable 0 nor minAvailable 1)"
                ))
        }

        var serviceName: String?
        if workload.kind == .statefulSet, (workload.serviceName ?? "").isEmpty {
            // No governing Service can be added to it (spec.serviceName is immutable): not a
            // risk to the singleton, and nothing `enable --service` could fix.
            serviceName = nil
        } else if workload.kind == .statefulSet {
            let wanted = workload.serviceName ?? ""
            let svc = index.service(named: wanted, in: namespace).map { snapshot.services[$0] }
            if let svc {
                serviceName = wanted
                if svc[path: "spec", "clusterIP"]?.stringValue != "None" {
                    risks.append(
                        Risk(
                            code: "svc-not-headless",
                            message: "Service \(wanted) named in spec.serviceName is not headless (clusterIP: None)"))
                }
            } else {
                risks.append(
                    Risk(
                        code: "no-svc",
                        message:
                            "the governing Service \(wanted) does not exist (kubectl singleton enable \(ref) --service)"
                    ))
            }
        } else {
            serviceName =
                index.serviceCandidates(in: namespace, podLabels: podLabels).lazy.map { snapshot.services[$0] }
                .first { svc in
                    let sel = svc[path: "spec", "selector"]?.objectValue ?? [:]
                    return sel.allSatisfy { podLabels[$0.key] == $0.value.stringValue }
                }?[path: "metadata", "name"]?.stringValue
        }

        let leaseName = contract.spec?.lease
        var view: LeaseView?
        if let leaseName {
            if let lease = index.lease(named: leaseName, in: namespace).map({ snapshot.leases[$0] }) {
                let v = LeaseView(
                    record: LeaderRecords.fromLease(lease), now: now,
                    pod: { holderPod in index.pod(named: holderPod, in: namespace).map { snapshot.pods[$0] } })
                view = v
                if v.record.isReleased {
                    risks.append(
                        Risk(code: "lease-released", message: "Lease \(leaseName) is released: no pod holds it"))
                } else if v.expired == true {
                    risks.append(
                        Risk(
                            code: "lease-stale",
                            message:
                                "Lease \(leaseName) was last renewed \(v.renewedText) with a \(v.record.durationSeconds ?? 0)s duration: the holder looks gone (estimate, by this machine's clock)"
                        ))
                }
                if !v.record.isReleased, v.pod == nil || !(running + terminating).contains(v.pod?.name ?? "") {
                    risks.append(
                        Risk(
                            code: "lease-foreign",
                            message:
                                "Lease \(leaseName) is held by \(v.record.holder ?? ""), which is not one of its pods"))
                }
            } else {
                risks.append(
                    Risk(
                        code: "no-lease",
                        message:
                            "Lease \(leaseName) (annotation \(SingletonAnnotation.lease)) does not exist in \(namespace)"
                    ))
            }
        }

        if snapshot.webhookInstalled == false { risks.append(noWebhook) }

        return SingletonReport(
            ref: ref, namespace: namespace, mode: mode, desired: desired, ready: workload.status?.readyReplicas ?? 0,
            strategy: strategyText, runningPods: running, terminatingPods: terminating, podDisruptionBudget: pdbName,
            service: serviceName, leaseName: leaseName, leaseHolder: view?.record.holder, leaseView: view, risks: risks,
            enforcement: enforcement(workload.metadata.annotations))
    }

    /// The HPAs in `namespace` aimed at the workload with room to scale past one replica;
    /// `origin` names the KEDA ScaledObject that made one, where to fix it.
    static func scalingAutoscalers(
        _ autoscalers: [JSONValue], of workload: Workload, name: String, namespace: String
    )
        -> [(name: String, maxReplicas: Int, origin: String)]
    {
        autoscalers.compactMap { hpa in
            guard hpa[path: "metadata", "namespace"]?.stringValue == namespace,
                let target = hpa[path: "spec", "scaleTargetRef"], target["name"]?.stringValue == name,
                WorkloadKind(apiVersion: target["apiVersion"]?.stringValue, kind: target["kind"]?.stringValue ?? "")
                    == workload.kind,
                let max = hpa[path: "spec", "maxReplicas"]?.intValue, max > 1
            else { return nil }
            let origin =
                hpa[path: "metadata", "labels", "scaledobject.keda.sh/name"]?.stringValue
                .map { " (made by KEDA ScaledObject \($0); set maxReplicaCount: 1 there)" } ?? ""
            return (hpa.name, max, origin)
        }
    }

    /// Whether a ValidatingWebhookConfiguration list holds kube-singleton's.
    public static func webhookInstalled(_ configurations: [JSONValue]) -> Bool {
        configurations.contains { config in
            let name = config.name
            let hooks = config["webhooks"]?.arrayValue ?? []
            return name.contains("kube-singleton")
                || config[path: "metadata", "labels", "app.kubernetes.io/name"]?.stringValue == "kube-singleton"
                || hooks.contains { ($0["name"]?.stringValue ?? "").hasSuffix("kube-singleton.dev") }
        }
    }
}
