import Foundation
import KubeAPIMachinery

/// The `scale` subresource exactly as the apiserver serves it (`scaleFromDeployment` and
/// friends): an autoscaling/v1 Scale whose metadata holds only name, namespace, uid,
/// resourceVersion and creationTimestamp (no labels, no annotations), `spec.replicas`
/// omitted when 0, `status.selector` as a label-selector string. A custom resource's Scale
/// reads the paths its CRD declares (`scaleFromCustomResource`: a missing value is 0).
public enum ScaleView {
    public static func scale(of parent: JSONValue, paths: ScalePaths? = nil) -> JSONValue {
        var meta: [String: JSONValue] = [:]
        for field in ["name", "namespace", "uid", "resourceVersion", "creationTimestamp"] {
            if let v = parent[path: "metadata", field] { meta[field] = v }
        }
        let specKeys = paths.map { ScalePaths.keys($0.specReplicasPath) } ?? ["spec", "replicas"]
        let statusKeys = paths.map { ScalePaths.keys($0.statusReplicasPath) } ?? ["status", "replicas"]
        let replicas = value(parent, specKeys)?.intValue ?? (paths == nil ? 1 : 0)
        var spec: [String: JSONValue] = [:]
        if replicas != 0 { spec["replicas"] = .int(Int64(replicas)) }
        var status: [String: JSONValue] = ["replicas": .int(Int64(value(parent, statusKeys)?.intValue ?? 0))]
        let selector =
            paths.map { p in p.labelSelectorPath.flatMap { value(parent, ScalePaths.keys($0))?.stringValue } ?? "" }
            ?? selectorString(parent)
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

    /// The parent after a scale write: only its replicas change (missing means 0).
    public static func applying(_ scale: JSONValue, to parent: JSONValue, paths: ScalePaths? = nil) -> JSONValue {
        var p = parent
        let keys = paths.map { ScalePaths.keys($0.specReplicasPath) } ?? ["spec", "replicas"]
        p.set(keys, .int(Int64(scale[path: "spec", "replicas"]?.intValue ?? 0)))
        return p
    }

    static func value(_ object: JSONValue, _ keys: [String]) -> JSONValue? {
        var v: JSONValue? = object
        for k in keys { v = v?[k] }
        return v
    }
}
