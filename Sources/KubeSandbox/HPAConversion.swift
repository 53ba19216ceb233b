import Foundation
import KubeAPIMachinery

/// Converts HorizontalPodAutoscalers between autoscaling/v1 and v2, which share one store
/// (as in the apiserver): v1's `targetCPUUtilizationPercentage` is v2's CPU `Utilization`
/// resource metric. Other v2 metrics and `behavior` have no v1 form and are dropped from v1
/// views (the apiserver keeps them in an annotation; the sandbox does not).
enum HPAConversion {
    static func convert(_ object: JSONValue, toVersion version: String) -> JSONValue {
        var o = object
        var spec = o["spec"]?.objectValue ?? [:]
        if version == "v1" {
            if let metrics = spec.removeValue(forKey: "metrics")?.arrayValue {
                let cpu = metrics.first { $0["type"] == "Resource" && $0[path: "resource", "name"] == "cpu" }
                if let target = cpu?[path: "resource", "target", "averageUtilization"] {
                    spec["targetCPUUtilizationPercentage"] = target
                }
            }
            spec["behavior"] = nil
        } else if let percent = spec.removeValue(forKey: "targetCPUUtilizationPercentage") {
            spec["metrics"] = [
                [
                    "type": "Resource",
                    "resource": ["name": "cpu", "target": ["type": "Utilization", "averageUtilization": percent]],
                ]
            ]
        }
        o["spec"] = .object(spec)
        return o
    }
}
