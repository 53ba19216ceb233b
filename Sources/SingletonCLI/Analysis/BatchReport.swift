import Foundation
import KubeAPIMachinery
import SingletonCore

extension SingletonAnalyzer {
    /// Judges a singleton CronJob or Job (`object` as the API returns it). Its pods come and go
    /// with each run, so PDB, Service and lease do not apply; what counts is how many Jobs and
    /// pods run at once, and what the webhook would say of the object.
    public static func analyze(
        batch object: JSONValue, kind: ResourceKind, namespace: String, snapshot: ClusterSnapshot, now: Date
    ) -> SingletonReport {
        let name = object.name
        let annotations = (object[path: "metadata", "annotations"]?.objectValue ?? [:]).compactMapValues(\.stringValue)
        let contract = ContractState(annotations: annotations)
        var risks: [Risk] = []
        if case .invalid(let error, _) = contract {
            risks.append(Risk(code: "bad-mode", message: "\(error); the webhook denies changes until it is fixed"))
        }
        var cronJob: CronJobState?
        var desired = 1
        let owners: Set<String>
        if kind == .cronJob {
            let state = CronJobState(object)
            cronJob = state
            owners = Set(state.activeJobs)
            if state.activeJobs.count > 1 {
                risks.append(
                    Risk(
                        code: "active=\(state.activeJobs.count)",
                        message:
                            "\(state.activeJobs.count) Jobs run at once: \(state.activeJobs.joined(separator: ", "))"))
            }
        } else {
            desired = JobState(object).parallelism
            owners = [name]
        }
        let pods = snapshot.pods.filter {
            $0.namespace == namespace && $0.isActive && $0.ownerKind == "Job" && owners.contains($0.ownerName ?? "")
        }
        let running = pods.filter { !$0.terminating }.map(\.name).sorted()
        let terminating = pods.filter(\.terminating).map(\.name).sorted()
        if running.count + terminating.count > 1 {
            risks.append(
                Risk(
                    code: "pods=\(running.count + terminating.count)",
                    message:
                        "\(running.count + terminating.count) pods run at once: \((running + terminating).joined(separator: ", "))"
                ))
        }
        if snapshot.webhookInstalled == false { risks.append(noWebhook) }
        return SingletonReport(
            ref: ResourceRef(kind: kind, name: name), namespace: namespace,
            mode: annotations[SingletonAnnotation.mode] ?? "", desired: desired,
            ready: kind == .job ? JobState(object).ready : running.count, strategy: nil, runningPods: running,
            terminatingPods: terminating, podDisruptionBudget: nil, service: nil, leaseName: nil, leaseHolder: nil,
            leaseView: nil, risks: risks, enforcement: enforcement(annotations), cronJob: cronJob)
    }

    /// Nothing enforces the annotation: the same risk for every kind.
    static let noWebhook = Risk(
        code: "no-webhook",
        message:
            "the kube-singleton webhook is not installed: nothing enforces the annotation (kubectl singleton install)")

    /// The enforcement the annotations ask for, as printed: `deny` when absent (an unknown
    /// value is shown as written; the contract reports it as invalid).
    static func enforcement(_ annotations: [String: String]?) -> String {
        annotations?[SingletonAnnotation.enforcement] ?? Enforcement.deny.rawValue
    }
}
