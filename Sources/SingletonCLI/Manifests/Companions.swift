import KubeAPIMachinery
import SingletonCore

/// The PodDisruptionBudget and headless Service the plugin creates next to a singleton,
/// and the ownership test that keeps it from touching anything it did not create.
public enum Companions {
    /// Why a companion cannot be built.
    public struct Refusal: Error, Sendable, Equatable, CustomStringConvertible {
        public var description: String
    }

    /// `NAME-singleton`.
    public static func pdbName(for workload: Workload) -> String { "\(workload.metadata.name ?? "")-singleton" }

    /// The headless Service's name: a StatefulSet's `spec.serviceName`, else the workload's name.
    public static func serviceName(for workload: Workload) -> String {
        if let s = workload.serviceName, !s.isEmpty { return s }
        return workload.metadata.name ?? ""
    }

    /// `policy/v1` PDB: the workload's selector, `maxUnavailable: 0` (no voluntary
    /// eviction of the healthy pod) and `unhealthyPodEvictionPolicy: AlwaysAllow` (a
    /// crash-looping pod never wedges a drain).
    public static func pdb(for workload: Workload) throws(Refusal) -> JSONValue {
        guard let selector = workload.selector ?? fallbackSelector(workload) else {
            throw Refusal(
                description:
                    "\(workload.kind.rawValue) \(workload.metadata.name ?? "") has no selector and no pod template labels to select its pods"
            )
        }
        var selectorValue: [String: JSONValue] = [:]
        if let labels = selector.matchLabels, !labels.isEmpty {
            selectorValue["matchLabels"] = .object(labels.mapValues(JSONValue.string))
        }
        if let exprs = selector.matchExpressions, !exprs.isEmpty {
            selectorValue["matchExpressions"] = .array(
                exprs.map { r in
                    var o: [String: JSONValue] = ["key": .string(r.key), "operator": .string(r.operator)]
                    if let v = r.values { o["values"] = .array(v.map(JSONValue.string)) }
                    return .object(o)
                })
        }
        return [
            "apiVersion": "policy/v1", "kind": "PodDisruptionBudget",
            "metadata": metadata(name: pdbName(for: workload), workload: workload),
            "spec": [
                "selector": .object(selectorValue), "maxUnavailable": 0, "unhealthyPodEvictionPolicy": "AlwaysAllow",
            ],
        ]
    }

    /// Headless Service (`clusterIP: None`) selecting the pods by their matchLabels,
    /// exposing the pod template's container ports. Services select by equality only, so
    /// a selector with matchExpressions is refused with the reason.
    public static func service(for workload: Workload) throws(Refusal) -> JSONValue {
        let name = workload.metadata.name ?? ""
        if workload.kind == .statefulSet, (workload.serviceName ?? "").isEmpty {
            throw Refusal(
                description: """
                    not created: StatefulSet \(name) has no spec.serviceName, and the field cannot be changed after creation,             so no Service created now can become its governing Service (the one that gives its pods stable DNS names).             Set spec.serviceName when you create the StatefulSet (to recreate it and keep its pods:             kubectl delete statefulset \(name) --cascade=orphan, then apply it with serviceName set), then rerun with --service
                    """)
        }
        guard let selector = workload.selector ?? fallbackSelector(workload) else {
            throw Refusal(description: "\(workload.kind.rawValue) \(name) has no selector to build a Service from")
        }
        guard selector.isEqualityOnly else {
            throw Refusal(
                description:
                    "\(workload.kind.rawValue) \(name) selects its pods with matchExpressions (\(selector.asQueryString)); a Service selects by equality only, so no Service can match exactly these pods. Create one by hand with labels that identify them"
            )
        }
        guard let labels = selector.matchLabels, !labels.isEmpty else {
            throw Refusal(
                description:
                    "\(workload.kind.rawValue) \(name) has an empty selector; a Service needs at least one label")
        }
        let ports = workload.containerPorts
        let needNames = ports.count > 1
        let portValues: [JSONValue] = ports.map { p in
            let proto = p.protocol ?? "TCP"
            var o: [String: JSONValue] = [
                "port": .int(Int64(p.containerPort)), "targetPort": .int(Int64(p.containerPort)),
                "protocol": .string(proto),
            ]
            if let n = p.name {
                o["name"] = .string(n)
            } else if needNames {
                o["name"] = .string("\(proto.lowercased())-\(p.containerPort)")
            }
            return .object(o)
        }
        var spec: [String: JSONValue] = ["clusterIP": "None", "selector": .object(labels.mapValues(JSONValue.string))]
        if !portValues.isEmpty { spec["ports"] = .array(portValues) }
        return [
            "apiVersion": "v1", "kind": "Service",
            "metadata": metadata(name: serviceName(for: workload), workload: workload), "spec": .object(spec),
        ]
    }

    /// True only when the object carries the managed-by label AND an ownerReference to
    /// this workload's uid: the plugin's proof that it created the object for it.
    public static func isOurs(_ object: JSONValue, ownerUID: String?) -> Bool {
        guard
            object[path: "metadata", "labels", SingletonAnnotation.managedByLabel]?.stringValue
                == SingletonAnnotation.managedByValue
        else {
            return false
        }
        guard let ownerUID else { return false }
        let owners = object[path: "metadata", "ownerReferences"]?.arrayValue ?? []
        return owners.contains { $0["uid"]?.stringValue == ownerUID }
    }

    static func metadata(name: String, workload: Workload) -> JSONValue {
        var meta: [String: JSONValue] = [
            "name": .string(name),
            "labels": [SingletonAnnotation.managedByLabel: .string(SingletonAnnotation.managedByValue)],
            "ownerReferences": [
                [
                    "apiVersion": .string(workload.kind.apiVersion), "kind": .string(workload.kind.rawValue),
                    "name": .string(workload.metadata.name ?? ""), "uid": .string(workload.metadata.uid ?? ""),
                ]
            ],
        ]
        if let ns = workload.metadata.namespace { meta["namespace"] = .string(ns) }
        return .object(meta)
    }

    /// A ReplicationController may omit its selector: the API defaults it to the template labels.
    static func fallbackSelector(_ workload: Workload) -> LabelSelector? {
        workload.templateLabels.isEmpty ? nil : LabelSelector(matchLabels: workload.templateLabels)
    }

    /// The fields of `desired`'s spec that differ in `existing`, as a merge patch (nil when
    /// equal): used to bring an object the plugin owns back in line.
    public static func specPatch(existing: JSONValue, desired: JSONValue) -> JSONValue? {
        guard let spec = desired["spec"] else { return nil }
        return mergePatchDiff(existing: existing, desired: ["spec": spec])
    }
}
