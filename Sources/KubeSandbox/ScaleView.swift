import Foundation
import KubeAPIMachinery

/// The `scale` subresource exactly as the apiserver serves it (`scaleFromDeployment` and
/// friends): an autoscaling/v1 Scale whose metadata holds only name, namespace, uid,
/// resourceVersion and creationTimestamp (no labels, no annotations), `spec.replicas`
/// omitted when 0, `status.selector` as a label-selector string.
public enum ScaleView {
    public static func scale(of parent: JSONValue) -> JSONValue {
        var meta: [String: JSONValue] = [:]
        for field in ["name", "namespace", "uid", "resourceVersion", "creationTimestamp"] {
            if let v = parent[path: "metadata", field] { meta[field] = v }
        }
        let replicas = parent[path: "spec", "replicas"]?.intValue ?? 1
        var spec: [String: JSONValue] = [:]
        if replicas != 0 { spec["replicas"] = .int(Int64(replicas)) }
        var status: [String: JSONValue] = ["replicas": .int(Int64(parent[path: "status", "replicas"]?.intValue ?? 0))]
        let selector = selectorString(parent)
        if !selector.isEmpty { status["selector"] = .string(selector) }
        return [
            "kind": "Scale", "apiVersion": "autoscaling/v1", "metadata": .object(meta),
            "spec": .object(spec), "status": .object(status),
        ]
    }

    /// `spec.selector` rendered as `labels.Selector.String()`; RCs carry a plain map.
    static func selectorString(_ parent: JSONValue) -> String {
        guard let sel = parent[path: "spec", "selector"] else { return "" }
        if sel["matchLabels"] != nil || sel["matchExpressions"] != nil {
            return (try? LabelQuery.from(selector: sel).rendered) ?? ""
        }
        return LabelQuery.from(map: sel.objectValue ?? [:]).rendered
    }

    /// The parent after a scale write: only `spec.replicas` changes (missing means 0).
    public static func applying(_ scale: JSONValue, to parent: JSONValue) -> JSONValue {
        var p = parent
        p.set(["spec", "replicas"], .int(Int64(scale[path: "spec", "replicas"]?.intValue ?? 0)))
        return p
    }
}
