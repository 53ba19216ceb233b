import Foundation
import KubeAPIMachinery
import SingletonCore

/// PodDisruptionBudgets that already select a singleton's pods. The Eviction API refuses to
/// evict a pod that more than one PDB covers, so a second budget breaks every drain:
/// `enable --pdb` reuses a compatible one, or refuses with the reason.
extension Companions {
    /// What `enable --pdb` does about the budgets that exist.
    public enum PDBChoice: Sendable, Equatable {
        /// None but ours selects the pods: create ours (or keep it in line).
        case create
        /// Exactly one other budget selects them and blocks eviction of the only pod.
        case reuse(name: String, budget: String)
        /// Others select them in a way a second budget would break or that lets the pod go.
        case refuse(String)
    }

    /// True when the PDB's selector selects pods with these labels (an empty selector in
    /// policy/v1 selects every pod of the namespace).
    public static func selects(_ pdb: JSONValue, podLabels: [String: String]) -> Bool {
        selector(of: pdb)?.matches(podLabels) ?? false
    }

    /// `spec.selector` of a PDB; nil when it has none or one that is not a label selector
    /// (it then selects nothing).
    static func selector(of pdb: JSONValue) -> LabelSelector? {
        guard let raw = pdb[path: "spec", "selector"], case .object = raw else { return nil }
        return try? JSONDecoder().decode(LabelSelector.self, from: raw.serialized())
    }

    /// The budget in words: "maxUnavailable 0", "minAvailable 50%".
    public static func budget(_ pdb: JSONValue) -> String {
        if let v = pdb[path: "spec", "maxUnavailable"] { return "maxUnavailable \(scalar(v))" }
        if let v = pdb[path: "spec", "minAvailable"] { return "minAvailable \(scalar(v))" }
        return "no maxUnavailable or minAvailable"
    }

    /// Whether the budget keeps a drain from evicting the one healthy pod, as the disruption
    /// controller rounds for one replica: maxUnavailable 0 (or 0%); minAvailable of at least
    /// 1 (or any percentage above 0%, which rounds up to 1).
    public static func blocksEviction(_ pdb: JSONValue) -> Bool {
        func percent(_ s: String) -> Double? { s.hasSuffix("%") ? Double(s.dropLast()) : nil }
        switch (pdb[path: "spec", "maxUnavailable"], pdb[path: "spec", "minAvailable"]) {
        case (.int(let n)?, _): return n == 0
        case (.string(let s)?, _): return percent(s) == 0
        case (_, .int(let n)?): return n >= 1
        case (_, .string(let s)?): return (percent(s) ?? 0) > 0
        default: return false
        }
    }

    /// Decides between creating ours, reusing another, or refusing.
    public static func pdbChoice(existing: [JSONValue], for workload: Workload) -> PDBChoice {
        let labels = workload.templateLabels
        let others = existing.filter {
            !isOurs($0, ownerUID: workload.metadata.uid) && !labels.isEmpty && selects($0, podLabels: labels)
        }
        guard let first = others.first else { return .create }
        let names = others.compactMap { $0[path: "metadata", "name"]?.stringValue }
        if others.count > 1 {
            return .refuse(
                "\(others.count) PodDisruptionBudgets already select its pods (\(names.joined(separator: ", "))): the Eviction API refuses to evict a pod covered by more than one, so drains of these pods already fail. Keep one of them, then rerun"
            )
        }
        let name = names.first ?? ""
        guard blocksEviction(first) else {
            return .refuse(
                "PodDisruptionBudget \(name) already selects its pods with \(budget(first)), which lets a drain evict the only pod. A second budget would make the Eviction API refuse every eviction of these pods. Set maxUnavailable: 0 on \(name) (or delete it) and rerun, or rerun without --pdb"
            )
        }
        return .reuse(name: name, budget: budget(first))
    }

    /// A policy engine's refusal of our budget (Gatekeeper's k8spoddisruptionbudget and
    /// Kyverno's pdb-maxunavailable reject maxUnavailable: 0), as opposed to RBAC or a typo.
    public static func isPolicyDenial(_ failure: KubeAPIError) -> Bool {
        failure.message.contains("denied the request") || failure.message.contains("denied request")
    }

    static func scalar(_ v: JSONValue) -> String {
        switch v {
        case .int(let n): return "\(n)"
        case .string(let s): return s
        default: return String(decoding: v.serialized(), as: UTF8.self)
        }
    }
}
