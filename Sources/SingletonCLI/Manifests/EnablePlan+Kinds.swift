import KubeAPIMachinery
import SingletonCore

/// What `enable` changes in the spec of a CronJob, Job or Argo Rollout, beyond the annotations
/// and replicas every kind gets.
public struct KindSpecPlan: Sendable, Equatable {
    /// The fields the kind's spec must carry, as a merge-patch fragment under `spec`; only the
    /// ones that differ from the object are sent (`mergePatchDiff`).
    public var desired: [String: JSONValue] = [:]
    public var changes: [String] = []
    public var warnings: [String] = []
    /// Set when no patch can make the object fit `mode` without a choice that is the user's.
    public var refusal: String?

    /// Why per kind: a CronJob's overlap is governed by `spec.concurrencyPolicy` (default
    /// `Allow` runs Jobs side by side; `Replace` starts the new Job while the old one's pods may
    /// still terminate, so only at-least-one accepts it); a Job runs `parallelism` pods at once;
    /// an Argo canary surges like a Deployment, and blueGreen always runs two ReplicaSets.
    public static func make(kind: String, object: JSONValue, mode: SingletonMode) -> KindSpecPlan {
        var plan = KindSpecPlan()
        switch kind {
        case "CronJob":
            let policy = object[path: "spec", "concurrencyPolicy"]?.stringValue ?? "Allow"
            if let wanted = CronJobPolicy.required(current: policy, mode: mode) {
                plan.desired["concurrencyPolicy"] = .string(wanted)
                plan.changes.append(
                    "set concurrencyPolicy \(wanted) (\(policy) \(CronJobPolicy.why(policy)))")
            }
            if let p = object[path: "spec", "jobTemplate", "spec", "parallelism"]?.intValue, p > 1 {
                plan.desired["jobTemplate"] = ["spec": ["parallelism": 1]]
                plan.changes.append("lowered jobTemplate parallelism from \(p) to 1")
            }
            if object[path: "spec", "startingDeadlineSeconds"]?.intValue == nil {
                plan.warnings.append(
                    "spec.startingDeadlineSeconds is unset: after a long pause the controller counts every missed run (and stops scheduling after 100); set it to bound that"
                )
            }
        case "Job":
            if let p = object[path: "spec", "parallelism"]?.intValue, p > 1 {
                plan.desired["parallelism"] = 1
                plan.changes.append("lowered parallelism from \(p) to 1")
            }
        case "Rollout" where mode == .atMostOne:
            let strategy = object[path: "spec", "strategy"]
            if strategy?["blueGreen"] != nil {
                plan.refusal =
                    "Rollout uses the blueGreen strategy, which runs the preview and active ReplicaSets side by side: at-most-one needs canary with maxSurge 0; change the strategy, or use --mode at-least-one"
                return plan
            }
            let canary = strategy?["canary"]
            let rollout = RolloutStrategy(
                canary: RolloutStrategy.Canary(
                    maxSurge: canary?["maxSurge"].flatMap(IntOrString.init(json:))))
            if rollout.surges, let surge = rollout.effectiveMaxSurge {
                var fields: [String: JSONValue] = ["maxSurge": 0]
                // Argo refuses maxSurge and maxUnavailable both 0: the old pod must be let go first.
                if let unavailable = canary?["maxUnavailable"].flatMap(IntOrString.init(json:)),
                    unavailable.scaled(total: 100, roundUp: false) == 0
                {
                    fields["maxUnavailable"] = 1
                }
                plan.desired["strategy"] = ["canary": .object(fields)]
                plan.changes.append(
                    "set canary maxSurge 0 (maxSurge \(surge) would start a second pod during rollouts)")
            }
        default:
            break
        }
        return plan
    }
}

/// The CronJob concurrency policy `enable` sets, from the core's accepted ones per mode.
enum CronJobPolicy {
    /// The policy to set, nil when `current` already fits `mode` (the webhook's rule).
    static func required(current: String, mode: SingletonMode) -> String? {
        let accepted = CronJob.acceptedConcurrencyPolicies(for: mode)
        return accepted.contains(current) ? nil : accepted.first
    }

    static func why(_ policy: String) -> String {
        switch policy {
        case "Replace": return "starts the next Job while the old one's pods may still run"
        case "Allow": return "runs Jobs side by side"
        default: return "is not a policy the API knows"
        }
    }
}

extension IntOrString {
    /// An int or a string JSON value; nil for anything else.
    init?(json: JSONValue) {
        if let i = json.intValue {
            self = .int(i)
        } else if let s = json.stringValue {
            self = .string(s)
        } else {
            return nil
        }
    }
}
