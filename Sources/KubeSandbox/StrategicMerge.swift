import Foundation
import KubeAPIMachinery

/// Strategic merge patch (`application/strategic-merge-patch+json`), as kubectl apply,
/// edit and `patch --type=strategic` send it.
///
/// Real Kubernetes reads each list's merge key from Go struct tags. The sandbox keeps a
/// table of the lists that matter for the served kinds (containers, ports, env, volumes,
/// volumeMounts, conditions, ownerReferences, webhooks, ...), keyed by the field name and
/// its parent field where one name has two keys (container `ports` merge on containerPort,
/// Service `ports` on port). Other lists are replaced. Directives: `$patch: delete|replace|merge`
/// in maps and list items, `$setElementOrder/<field>` (applied as ordering when possible),
/// `$retainKeys`, `$deleteFromPrimitiveList/<field>`; a `null` deletes a map key.
public enum StrategicMerge {
    /// Merge key for a list field, given its parent field name.
    static func mergeKey(field: String, parent: String) -> String? {
        switch (field, parent) {
        case ("ports", "spec"): return "port"
        case ("ports", _): return "containerPort"
        case ("containers", _), ("initContainers", _), ("ephemeralContainers", _), ("env", _),
            ("volumes", _), ("imagePullSecrets", _), ("webhooks", _), ("resourceClaims", _),
            ("readinessGates", _):
            return field == "readinessGates" ? "conditionType" : "name"
        case ("volumeMounts", _): return "mountPath"
        case ("volumeDevices", _): return "devicePath"
        case ("conditions", _): return "type"
        case ("ownerReferences", _): return "uid"
        case ("hostAliases", _): return "ip"
        case ("topologySpreadConstraints", _): return "topologyKey"
        default: return nil
        }
    }

    /// Primitive lists whose patch strategy is `merge` (union), not replace.
    static let mergedPrimitiveLists: Set<String> = ["finalizers"]

    public static func apply(_ patch: JSONValue, to original: JSONValue) throws(KubeAPIError) -> JSONValue {
        guard case .object = patch else { throw KubeAPIError.badRequest("strategic merge patch must be a JSON object") }
        return try mergeMap(original, patch, field: "")
    }

    static func mergeMap(_ original: JSONValue, _ patch: JSONValue, field: String) throws(KubeAPIError) -> JSONValue {
        guard var p = patch.objectValue else { return patch }
        let directive = p.removeValue(forKey: "$patch")?.stringValue
        if directive == "delete" { return .null }
        if directive == "replace" { return .object(p) }
        if let d = directive, d != "merge" {
            throw KubeAPIError.badRequest("unknown patch type: \(d) in map: \(field)")
        }
        var result = original.objectValue ?? [:]
        if let retain = p.removeValue(forKey: "$retainKeys")?.arrayValue {
            let keep = Set(retain.compactMap(\.stringValue))
            result = result.filter { keep.contains($0.key) }
        }
        var orders: [String: [JSONValue]] = [:]
        for (key, value) in p {
            if key.hasPrefix("$setElementOrder/") {
                orders[String(key.dropFirst("$setElementOrder/".count))] = value.arrayValue ?? []
            } else if key.hasPrefix("$deleteFromPrimitiveList/") {
                let target = String(key.dropFirst("$deleteFromPrimitiveList/".count))
                let drop = value.arrayValue ?? []
                if let list = result[target]?.arrayValue { result[target] = .array(list.filter { !drop.contains($0) }) }
            }
        }
        for (key, value) in p where !key.hasPrefix("$") {
            if case .null = value { result[key] = nil; continue }
            let existing = result[key] ?? .null
            switch value {
            case .object:
                let merged = try mergeMap(existing.objectValue == nil ? .object([:]) : existing, value, field: key)
                result[key] = merged == .null ? nil : merged
            case .array(let items):
                result[key] = try mergeList(existing.arrayValue ?? [], items, field: key, parent: field)
            default:
                result[key] = value
            }
        }
        for (key, order) in orders {
            if let list = result[key]?.arrayValue {
                result[key] = .array(reorder(list, by: order, key: mergeKey(field: key, parent: field)))
            }
        }
        return .object(result)
    }

    static func mergeList(
        _ original: [JSONValue], _ patch: [JSONValue], field: String, parent: String
    ) throws(KubeAPIError) -> JSONValue {
        if patch.contains(where: { $0["$patch"]?.stringValue == "replace" }) {
            return .array(patch.filter { $0["$patch"]?.stringValue != "replace" })
        }
        if mergedPrimitiveLists.contains(field) {
            var out = original
            for v in patch where !out.contains(v) { out.append(v) }
            return .array(out)
        }
        guard let key = mergeKey(field: field, parent: parent) else { return .array(patch) }
        var out = original
        for item in patch {
            guard let id = item[key] else { out.append(item); continue }
            let index = out.firstIndex { $0[key] == id }
            if item["$patch"]?.stringValue == "delete" {
                if let index { out.remove(at: index) }
                continue
            }
            if let index {
                out[index] = try mergeMap(out[index], item, field: field)
            } else {
                out.append(try mergeMap(.object([:]), item, field: field))
            }
        }
        return .array(out)
    }

    static func reorder(_ list: [JSONValue], by order: [JSONValue], key: String?) -> [JSONValue] {
        func identity(_ v: JSONValue) -> JSONValue { key.flatMap { v[$0] } ?? v }
        let wanted = order.map { item in key.flatMap { item[$0] } ?? item }
        var ordered: [JSONValue] = []
        for w in wanted { if let item = list.first(where: { identity($0) == w }) { ordered.append(item) } }
        for item in list where !ordered.contains(item) { ordered.append(item) }
        return ordered
    }
}
