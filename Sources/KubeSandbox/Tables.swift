import Foundation
import KubeAPIMachinery

/// `meta.k8s.io/v1` Table responses (server-side printing), which kubectl asks for with
/// `Accept: application/json;as=Table;g=meta.k8s.io;v=v1`. Columns follow the apiserver's
/// printers for the kinds kubectl users look at: READY/UP-TO-DATE/AVAILABLE for
/// Deployments, HOLDER for Leases, STATUS for Pods, and so on.
public enum Tables {
    struct Column { let name: String; let type: String; let format: String; let priority: Int }

    static func columns(_ type: ResourceType) -> [Column] {
        func c(_ n: String, _ t: String = "string", _ f: String = "", _ p: Int = 0) -> Column {
            Column(name: n, type: t, format: f, priority: p)
        }
        let name = c("Name", "string", "name"), age = c("Age", "string")
        switch type.kind {
        case "Deployment": return [name, c("Ready"), c("Up-to-date", "integer"), c("Available", "integer"), age]
        case "StatefulSet": return [name, c("Ready"), age]
        case "ReplicaSet", "ReplicationController":
            return [name, c("Desired", "integer"), c("Current", "integer"), c("Ready", "integer"), age]
        case "Pod":
            return [
                name, c("Ready"), c("Status"), c("Restarts"), age, c("IP", "string", "", 1), c("Node", "string", "", 1),
            ]
        case "Lease": return [name, c("Holder"), age]
        case "Namespace": return [name, c("Status"), age]
        case "Service": return [name, c("Type"), c("Cluster-IP"), c("External-IP"), c("Port(s)"), age]
        case "ConfigMap": return [name, c("Data", "integer"), age]
        case "Secret": return [name, c("Type"), c("Data", "integer"), age]
        case "Endpoints": return [name, c("Endpoints"), age]
        case "PodDisruptionBudget":
            return [name, c("Min Available"), c("Max Unavailable"), c("Allowed Disruptions", "integer"), age]
        case "HorizontalPodAutoscaler":
            return [
                name, c("Reference"), c("Targets"), c("MinPods", "integer"), c("MaxPods", "integer"),
                c("Replicas", "integer"), age,
            ]
        case "ValidatingWebhookConfiguration": return [name, c("Webhooks", "integer"), age]
        default: return [name, age]
        }
    }

    static func int(_ v: JSONValue?, _ fallback: Int = 0) -> JSONValue { .int(Int64(v?.intValue ?? fallback)) }
    static func text(_ v: JSONValue?) -> String {
        switch v {
        case .string(let s): return s
        case .int(let i): return String(i)
        default: return "<none>"
        }
    }

    static func cells(_ type: ResourceType, _ o: JSONValue, now: Date) -> [JSONValue] {
        let age = JSONValue.string(Self.age(o[path: "metadata", "creationTimestamp"]?.stringValue, now: now))
        let spec = o["spec"] ?? .null, status = o["status"] ?? .null
        let replicas = spec["replicas"]?.intValue ?? 1
        let ready = status["readyReplicas"]?.intValue ?? 0
        let name = JSONValue.string(o.name)
        switch type.kind {
        case "Deployment":
            return [
                name, .string("\(ready)/\(replicas)"), int(status["updatedReplicas"]), int(status["availableReplicas"]),
                age,
            ]
        case "StatefulSet": return [name, .string("\(ready)/\(replicas)"), age]
        case "ReplicaSet", "ReplicationController":
            return [name, .int(Int64(replicas)), int(status["replicas"]), .int(Int64(ready)), age]
        case "Pod":
            let statuses = status["containerStatuses"]?.arrayValue ?? []
            let total = max(statuses.count, spec["containers"]?.arrayValue?.count ?? 0)
            let readyCount = statuses.filter { $0["ready"]?.boolValue == true }.count
            let restarts = statuses.compactMap { $0["restartCount"]?.intValue }.reduce(0, +)
            return [
                name, .string("\(readyCount)/\(total)"), .string(status["phase"]?.stringValue ?? "Pending"),
                .string(String(restarts)), age, .string(status["podIP"]?.stringValue ?? "<none>"),
                .string(spec["nodeName"]?.stringValue ?? "<none>"),
            ]
        case "Lease":
            let holder = spec["holderIdentity"]?.stringValue ?? ""
            return [name, .string(holder.isEmpty ? "" : holder), age]
        case "Namespace": return [name, .string(status["phase"]?.stringValue ?? "Active"), age]
        case "Service":
            let ports = (spec["ports"]?.arrayValue ?? []).map {
                "\(text($0["port"]))/\($0["protocol"]?.stringValue ?? "TCP")"
            }
            return [
                name, .string(spec["type"]?.stringValue ?? "ClusterIP"),
                .string(spec["clusterIP"]?.stringValue ?? "<none>"),
                "<none>", .string(ports.isEmpty ? "<none>" : ports.joined(separator: ",")), age,
            ]
        case "ConfigMap":
            return [
                name, .int(Int64((o["data"]?.objectValue?.count ?? 0) + (o["binaryData"]?.objectValue?.count ?? 0))),
                age,
            ]
        case "Secret":
            return [
                name, .string(o["type"]?.stringValue ?? "Opaque"), .int(Int64(o["data"]?.objectValue?.count ?? 0)), age,
            ]
        case "Endpoints":
            var eps: [String] = []
            for subset in o["subsets"]?.arrayValue ?? [] {
                for a in subset["addresses"]?.arrayValue ?? [] {
                    for p in subset["ports"]?.arrayValue ?? [] { eps.append("\(text(a["ip"])):\(text(p["port"]))") }
                }
            }
            return [name, .string(eps.isEmpty ? "<none>" : eps.joined(separator: ",")), age]
        case "PodDisruptionBudget":
            return [
                name, .string(spec["minAvailable"].map(text) ?? "N/A"),
                .string(spec["maxUnavailable"].map(text) ?? "N/A"),
                int(status["disruptionsAllowed"]), age,
            ]
        case "HorizontalPodAutoscaler":
            let ref = spec["scaleTargetRef"] ?? .null
            return [
                name, .string("\(text(ref["kind"]))/\(text(ref["name"]))"), "<unknown>", int(spec["minReplicas"], 1),
                int(spec["maxReplicas"]), int(status["currentReplicas"]), age,
            ]
        case "ValidatingWebhookConfiguration": return [name, .int(Int64(o["webhooks"]?.arrayValue?.count ?? 0)), age]
        default: return [name, age]
        }
    }

    /// The table for objects of one type. `includeObject`: None, Object, or (default) Metadata.
    public static func table(
        _ type: ResourceType, _ objects: [JSONValue], resourceVersion: String,
        continueToken: String? = nil, includeObject: String?, now: Date
    ) -> JSONValue {
        let defs: [JSONValue] = columns(type).map {
            [
                "name": .string($0.name), "type": .string($0.type), "format": .string($0.format),
                "description": .string($0.name), "priority": .int(Int64($0.priority)),
            ]
        }
        let rows: [JSONValue] = objects.map { o in
            var row: [String: JSONValue] = ["cells": .array(cells(type, o, now: now))]
            switch includeObject {
            case "None": break
            case "Object": row["object"] = o
            default: row["object"] = PartialMetadata.object(o)
            }
            return .object(row)
        }
        var meta: [String: JSONValue] = ["resourceVersion": .string(resourceVersion)]
        if let continueToken { meta["continue"] = .string(continueToken) }
        return [
            "kind": "Table", "apiVersion": "meta.k8s.io/v1", "metadata": .object(meta),
            "columnDefinitions": .array(defs), "rows": .array(rows),
        ]
    }

    /// kubectl-style short durations: 45s, 3m12s, 14m, 5h, 3d.
    static func age(_ timestamp: String?, now: Date) -> String {
        guard let timestamp, let created = ISO8601DateFormatter().date(from: timestamp) else { return "<unknown>" }
        let s = max(0, Int(now.timeIntervalSince(created)))
        if s < 120 { return "\(s)s" }
        let m = s / 60
        if m < 10 { return s % 60 == 0 ? "\(m)m" : "\(m)m\(s % 60)s" }
        if m < 180 { return "\(m)m" }
        let h = m / 60
        if h < 48 { return "\(h)h" }
        return "\(h / 24)d"
    }
}

/// `PartialObjectMetadata(List)` responses (`as=PartialObjectMetadata;g=meta.k8s.io;v=v1`),
/// which metadata-only informers such as the webhook's parent cache ask for.
public enum PartialMetadata {
    public static func object(_ o: JSONValue) -> JSONValue {
        ["kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1", "metadata": o["metadata"] ?? .object([:])]
    }

    public static func list(_ objects: [JSONValue], resourceVersion: String, continueToken: String?) -> JSONValue {
        var meta: [String: JSONValue] = ["resourceVersion": .string(resourceVersion)]
        if let continueToken { meta["continue"] = .string(continueToken) }
        return [
            "kind": "PartialObjectMetadataList", "apiVersion": "meta.k8s.io/v1", "metadata": .object(meta),
            "items": .array(objects.map(object)),
        ]
    }
}
