import Foundation
import SingletonCore

/// One thing lint found.
public struct LintFinding: Sendable, Equatable, Codable {
    public enum Severity: String, Sendable, Codable {
        /// The webhook would deny this object: lint exits 1.
        case error
        /// Advice: the set works but misses a companion object or carries a risk.
        case warning
    }

    public var file: String
    public var document: Int
    public var item: Int?
    public var severity: Severity
    /// A stable token (`replicas`, `surge`, `unknown-mode`, `hpa`, `missing-pdb`, ...).
    public var rule: String
    public var kind: String
    public var namespace: String
    public var name: String
    public var message: String
}

/// Checks a set of manifests offline, with the same decision the webhook makes, so a
/// GitOps pipeline learns before the sync what the cluster would refuse.
///
/// Each singleton workload is judged as if it were being created; each HPA in the set is
/// judged against the workloads in the same set. Companion objects (PDB, headless Service)
/// that are missing from the set are reported as warnings: they may live elsewhere.
public struct Linter: Sendable {
    public init() {}

    /// All findings for a set of objects, sorted by file, document and List item.
    public func lint(_ objects: [ManifestObject]) -> [LintFinding] {
        var findings: [LintFinding] = []
        var singletons: [(ManifestObject, Workload)] = []
        let policy = SingletonPolicy()

        for object in objects {
            if let kind = UnsupportedKinds.kind(apiVersion: object.apiVersion, kind: object.kind),
                object.object[path: "metadata", "annotations", SingletonAnnotation.mode] != nil
            {
                let name = object.namespace.isEmpty ? object.name : "\(object.namespace)/\(object.name)"
                findings.append(
                    finding(
                        object, .warning, "no-effect", UnsupportedKinds.warning(kind: kind, object: "\(kind) \(name)")))
                continue
            }
            if let batch = lintBatch(object, policy: policy) {
                findings += batch
                continue
            }
            guard WorkloadKind(apiVersion: object.apiVersion, kind: object.kind) != nil else { continue }
            guard let workload = try? Workload.decode(object.object.serialized()) else { continue }
            guard workload.metadata.contract.isPresent else { continue }
            let request = AdmissionRequest(
                uid: "lint",
                resource: GroupVersionResource(
                    group: workload.kind.group, version: "v1", resource: workload.kind.resource),
                name: workload.metadata.name, namespace: object.namespace.isEmpty ? nil : object.namespace,
                operation: .create, object: .workload(workload))
            findings += verdict(object, policy.decide(request), rule: nil)
            if workload.metadata.contract.spec != nil {
                singletons.append((object, workload))
            }
        }

        findings += lintAutoscalers(objects, singletons: singletons, policy: policy)
        findings += lintScaledObjects(objects, singletons: singletons, policy: policy)
        for (object, workload) in singletons {
            findings += companionAdvice(object, workload, objects: objects)
        }
        return findings.sorted { ($0.file, $0.document, $0.item ?? -1) < ($1.file, $1.document, $1.item ?? -1) }
    }

    private func lintAutoscalers(
        _ objects: [ManifestObject], singletons: [(ManifestObject, Workload)], policy: SingletonPolicy
    ) -> [LintFinding] {
        var findings: [LintFinding] = []
        for object in objects
        where object.kind == "HorizontalPodAutoscaler" && groupOf(apiVersion: object.apiVersion) == "autoscaling" {
            guard let hpa = try? HorizontalPodAutoscaler.decode(object.object.serialized()) else {
                findings.append(
                    finding(
                        object, .error, "malformed",
                        "HorizontalPodAutoscaler \(object.name) has no readable spec.scaleTargetRef or spec.maxReplicas"
                    ))
                continue
            }
            guard
                let target = singletons.first(where: { candidate in
                    candidate.1.kind == hpa.targetKind && candidate.1.metadata.name == hpa.spec.scaleTargetRef.name
                        && candidate.0.namespace == object.namespace
                })
            else { continue }
            let request = AdmissionRequest(
                uid: "lint",
                resource: GroupVersionResource(
                    group: "autoscaling", version: "v2", resource: "horizontalpodautoscalers"),
                name: hpa.metadata.name, namespace: object.namespace.isEmpty ? "default" : object.namespace,
                operation: .create, object: .horizontalPodAutoscaler(hpa))
            let decision = policy.decide(request, parent: .found(target.1.metadata))
            findings += verdict(object, decision, rule: "hpa").filter { $0.rule == "hpa" }
        }
        return findings
    }

    /// A CronJob or Job judged as the webhook judges its creation; nil for other kinds.
    private func lintBatch(_ object: ManifestObject, policy: SingletonPolicy) -> [LintFinding]? {
        guard groupOf(apiVersion: object.apiVersion) == "batch", object.kind == "CronJob" || object.kind == "Job"
        else { return nil }
        guard object.object[path: "metadata", "annotations", SingletonAnnotation.mode] != nil else { return [] }
        let data = object.object.serialized()
        let admissionObject: AdmissionObject
        do {
            admissionObject = object.kind == "CronJob" ? .cronJob(try CronJob.decode(data)) : .job(try Job.decode(data))
        } catch {
            return [finding(object, .error, "malformed", "\(object.kind) \(object.name) cannot be read: \(error)")]
        }
        let request = AdmissionRequest(
            uid: "lint",
            resource: GroupVersionResource(
                group: "batch", version: "v1", resource: object.kind == "CronJob" ? "cronjobs" : "jobs"),
            name: object.name, namespace: object.namespace.isEmpty ? nil : object.namespace, operation: .create,
            object: admissionObject)
        return verdict(object, policy.decide(request), rule: nil)
    }

    /// Each KEDA ScaledObject in the set judged against the singletons of the same set, as the
    /// webhook judges it against the cluster (an unset maxReplicaCount is KEDA's 100).
    private func lintScaledObjects(
        _ objects: [ManifestObject], singletons: [(ManifestObject, Workload)], policy: SingletonPolicy
    ) -> [LintFinding] {
        var findings: [LintFinding] = []
        for object in objects where object.kind == "ScaledObject" && groupOf(apiVersion: object.apiVersion) == "keda.sh"
        {
            guard let scaled = try? ScaledObject.decode(object.object.serialized()) else {
                findings.append(
                    finding(
                        object, .error, "malformed", "ScaledObject \(object.name) has no readable spec.scaleTargetRef"))
                continue
            }
            guard
                let target = singletons.first(where: { candidate in
                    candidate.1.kind == scaled.targetKind
                        && candidate.1.metadata.name == scaled.spec.scaleTargetRef.name
                        && candidate.0.namespace == object.namespace
                })
            else { continue }
            let request = AdmissionRequest(
                uid: "lint",
                resource: GroupVersionResource(group: "keda.sh", version: "v1alpha1", resource: "scaledobjects"),
                name: scaled.metadata.name, namespace: object.namespace.isEmpty ? "default" : object.namespace,
                operation: .create, object: .scaledObject(scaled))
            let decision = policy.decide(request, parent: .found(target.1.metadata))
            findings += verdict(object, decision, rule: nil)
        }
        return findings
    }

    private func companionAdvice(
        _ object: ManifestObject, _ workload: Workload, objects: [ManifestObject]
    ) -> [LintFinding] {
        var findings: [LintFinding] = []
        let sameNamespace = objects.filter { $0.namespace == object.namespace }
        let podLabels = workload.templateLabels
        let hasPDB = sameNamespace.contains { candidate in
            guard candidate.kind == "PodDisruptionBudget",
                let selectorValue = candidate.object[path: "spec", "selector"],
                let selector = try? JSONDecoder().decode(LabelSelector.self, from: selectorValue.serialized())
            else { return false }
            return !podLabels.isEmpty && selector.matches(podLabels)
        }
        if !hasPDB {
            findings.append(
                finding(
                    object, .warning, "missing-pdb",
                    "\(workload.kind.rawValue) \(object.name) has no PodDisruptionBudget in this set selecting its pods; a node drain may evict the only pod with no budget check (kubectl singleton enable --pdb creates one)"
                ))
        }
        if workload.kind == .statefulSet {
            let serviceName = workload.serviceName ?? ""
            let headless = sameNamespace.contains { candidate in
                candidate.kind == "Service" && candidate.name == serviceName
                    && candidate.object[path: "spec", "clusterIP"]?.stringValue == "None"
            }
            if !headless {
                let what =
                    serviceName.isEmpty
                    ? "sets no spec.serviceName"
                    : "names Service \(serviceName) in spec.serviceName, but no headless Service (clusterIP: None) of that name is in this set"
                findings.append(
                    finding(
                        object, .warning, "missing-service",
                        "StatefulSet \(object.name) \(what); its pod needs a governing headless Service for a stable DNS name (kubectl singleton enable --service creates one)"
                    ))
            }
        }
        return findings
    }

    /// The webhook's decision as findings: a denial is an error; under enforcement `warn` the
    /// would-be denial is a warning under the same rule (the set still syncs, with a warning);
    /// the decision's other warnings are caveats.
    func verdict(_ object: ManifestObject, _ decision: AdmissionDecision, rule: String?) -> [LintFinding] {
        var findings: [LintFinding] = []
        var caveats = decision.warnings[...]
        if !decision.allowed {
            findings.append(finding(object, .error, rule ?? decision.rule.rawValue, decision.message ?? "denied"))
        } else if decision.wouldDeny, let first = caveats.popFirst() {
            findings.append(finding(object, .warning, rule ?? decision.rule.rawValue, first))
        }
        findings += caveats.map { finding(object, .warning, "caveat", $0) }
        return findings
    }

    private func finding(
        _ object: ManifestObject, _ severity: LintFinding.Severity, _ rule: String, _ message: String
    ) -> LintFinding {
        LintFinding(
            file: object.file, document: object.document, item: object.item, severity: severity, rule: rule,
            kind: object.kind, namespace: object.namespace, name: object.name, message: message)
    }
}
