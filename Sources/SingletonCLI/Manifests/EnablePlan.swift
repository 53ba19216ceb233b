import KubeAPIMachinery
import SingletonCore

/// The single merge patch `enable` sends: exactly the fields that must change, nothing
/// else, so every field the plugin does not model survives, and a second run sends
/// nothing at all.
public struct EnablePlan: Sendable, Equatable {
    /// nil when the workload already satisfies the request.
    public var patch: JSONValue?
    /// What the patch does, in words, for the step-by-step report.
    public var changes: [String]
    /// Things the user should know that the patch does not change.
    public var warnings: [String]
    /// Why no patch can make it a singleton of that mode without a choice that is the user's.
    public var refusal: String?

    /// The plan for `enable`: replicas above 1 become 1 (0 stays 0), and at-most-one Deployments
    /// that surge get Recreate (rollingUpdate removed, which the API requires for Recreate).
    /// `object` is the workload as read, for the Rollout strategy fields `Workload` does not model.
    public static func make(
        _ workload: Workload, mode: SingletonMode, lease: String?, enforcement: Enforcement? = nil,
        object: JSONValue? = nil
    ) -> EnablePlan {
        var spec: [String: JSONValue] = [:]
        var warnings: [String] = []
        let (annotations, annotated) = annotate(
            workload.metadata.annotations ?? [:], mode: mode, lease: lease, enforcement: enforcement)
        var changes = annotated
        switch workload.replicas {
        case .some(let r) where r > 1:
            spec["replicas"] = 1
            changes.append("lowered replicas from \(r) to 1")
        case .some(0):
            warnings.append("replicas is 0 and stays 0 (scaled down on purpose?); kubectl scale --replicas=1 to run it")
        default:
            break
        }
        if mode == .atMostOne, workload.kind == .deployment {
            let strategy = workload.strategy ?? DeploymentStrategy()
            if strategy.surges {
                spec["strategy"] = ["type": "Recreate", "rollingUpdate": nil]
                changes.append(
                    "set strategy Recreate (RollingUpdate with maxSurge \(strategy.effectiveMaxSurge?.description ?? "25%") would start a second pod during rollouts)"
                )
            }
            warnings.append(
                "at-most-one on a Deployment: a deleted or evicted pod is replaced before it has stopped, so two pods can briefly run; a StatefulSet gives the strict guarantee"
            )
        }
        if workload.kind == .rollout, let object {
            let kindPlan = KindSpecPlan.make(kind: "Rollout", object: object, mode: mode)
            if let refusal = kindPlan.refusal {
                return EnablePlan(patch: nil, changes: [], warnings: [], refusal: refusal)
            }
            spec.merge(kindPlan.desired) { _, new in new }
            changes += kindPlan.changes
        }
        return EnablePlan(annotations: annotations, spec: spec, changes: changes, warnings: warnings)
    }

    /// The plan for a CronJob or Job (`object` as read): the annotations, and the spec fields
    /// its kind needs for `mode` (`KindSpecPlan`).
    public static func make(
        batch object: JSONValue, mode: SingletonMode, lease: String?, enforcement: Enforcement? = nil
    ) -> EnablePlan {
        let current = (object[path: "metadata", "annotations"]?.objectValue ?? [:]).compactMapValues(\.stringValue)
        let (annotations, annotated) = annotate(current, mode: mode, lease: lease, enforcement: enforcement)
        let kindPlan = KindSpecPlan.make(kind: object["kind"]?.stringValue ?? "", object: object, mode: mode)
        if let refusal = kindPlan.refusal { return EnablePlan(patch: nil, changes: [], warnings: [], refusal: refusal) }
        let changes = annotated + kindPlan.changes
        // The caveats belong to the change that makes it a singleton; an unchanged rerun repeats none.
        let warnings = annotations.isEmpty && kindPlan.desired.isEmpty ? [] : kindPlan.warnings
        return EnablePlan(annotations: annotations, spec: kindPlan.desired, changes: changes, warnings: warnings)
    }

    /// The annotations `mode` and `lease` need that `current` lacks, and the words for them.
    static func annotate(
        _ current: [String: String], mode: SingletonMode, lease: String?, enforcement: Enforcement? = nil
    ) -> ([String: JSONValue], [String]) {
        var annotations: [String: JSONValue] = [:]
        var changes: [String] = []
        for (key, value) in [
            (SingletonAnnotation.mode, mode.rawValue), (SingletonAnnotation.lease, lease),
            (SingletonAnnotation.enforcement, enforcement?.rawValue),
        ] {
            if let value, current[key] != value {
                annotations[key] = .string(value)
                changes.append("annotated \(key)=\(value)")
            }
        }
        return (annotations, changes)
    }

    init(annotations: [String: JSONValue], spec: [String: JSONValue], changes: [String], warnings: [String]) {
        var patch: [String: JSONValue] = [:]
        if !annotations.isEmpty { patch["metadata"] = ["annotations": .object(annotations)] }
        if !spec.isEmpty { patch["spec"] = .object(spec) }
        self.init(patch: patch.isEmpty ? nil : .object(patch), changes: changes, warnings: warnings)
    }

    public init(patch: JSONValue?, changes: [String], warnings: [String], refusal: String? = nil) {
        self.patch = patch
        self.changes = changes
        self.warnings = warnings
        self.refusal = refusal
    }

    /// `disable`'s patch: remove the annotations the workload carries (null deletes).
    public static func disable(_ workload: Workload) -> EnablePlan {
        disable(annotations: workload.metadata.annotations ?? [:])
    }

    /// `disable`'s patch for an object's current annotations.
    public static func disable(annotations current: [String: String]) -> EnablePlan {
        var annotations: [String: JSONValue] = [:]
        var changes: [String] = []
        for key in [SingletonAnnotation.mode, SingletonAnnotation.lease, SingletonAnnotation.enforcement]
        where current[key] != nil {
            annotations[key] = .null
            changes.append("removed annotation \(key)")
        }
        let patch: JSONValue? = annotations.isEmpty ? nil : ["metadata": ["annotations": .object(annotations)]]
        return EnablePlan(patch: patch, changes: changes, warnings: [])
    }
}
