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

    /// The plan for `enable`: replicas above 1 become 1 (0 stays 0), and at-most-one Deployments
    /// that surge get Recreate (rollingUpdate removed, which the API requires for Recreate).
    public static func make(_ workload: Workload, mode: SingletonMode, lease: String?) -> EnablePlan {
        var annotations: [String: JSONValue] = [:]
        var spec: [String: JSONValue] = [:]
        var changes: [String] = []
        var warnings: [String] = []
        let current = workload.metadata.annotations ?? [:]

        if current[SingletonAnnotation.mode] != mode.rawValue {
            annotations[SingletonAnnotation.mode] = .string(mode.rawValue)
            changes.append("annotated \(SingletonAnnotation.mode)=\(mode.rawValue)")
        }
        if let lease, current[SingletonAnnotation.lease] != lease {
            annotations[SingletonAnnotation.lease] = .string(lease)
            changes.append("annotated \(SingletonAnnotation.lease)=\(lease)")
        }
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
        var patch: [String: JSONValue] = [:]
        if !annotations.isEmpty { patch["metadata"] = ["annotations": .object(annotations)] }
        if !spec.isEmpty { patch["spec"] = .object(spec) }
        return EnablePlan(patch: patch.isEmpty ? nil : .object(patch), changes: changes, warnings: warnings)
    }

    /// `disable`'s patch: remove the annotations the workload carries (null deletes).
    public static func disable(_ workload: Workload) -> EnablePlan {
        let current = workload.metadata.annotations ?? [:]
        var annotations: [String: JSONValue] = [:]
        var changes: [String] = []
        for key in [SingletonAnnotation.mode, SingletonAnnotation.lease] where current[key] != nil {
            annotations[key] = .null
            changes.append("removed annotation \(key)")
        }
        let patch: JSONValue? = annotations.isEmpty ? nil : ["metadata": ["annotations": .object(annotations)]]
        return EnablePlan(patch: patch, changes: changes, warnings: [])
    }
}
