import Foundation
import KubeAPIMachinery
import SingletonCore

/// One leader-election lock, whatever object holds it: a `coordination.k8s.io/v1` Lease,
/// the legacy `control-plane.alpha.kubernetes.io/leader` annotation on a ConfigMap or
/// Endpoints, or a key of an Apache Camel lock ConfigMap.
public struct LeaderRecord: Sendable, Equatable {
    public enum Source: Sendable, Equatable {
        case lease
        /// The legacy annotation on a `ConfigMap` or `Endpoints` (the kind).
        case annotation(String)
        /// A Camel ConfigMap lock; the associated value is the group.
        case camel(String)
    }

    public var source: Source
    public var namespace: String
    /// The object's name.
    public var objectName: String
    /// The holder; nil or empty means released.
    public var holder: String?
    public var durationSeconds: Int?
    public var acquireTime: Date?
    public var renewTime: Date?
    public var transitions: Int?
    /// The object's labels (to hide API-server identity leases).
    public var labels: [String: String]
    /// Set when the lock's value is damaged (not JSON, missing fields, bad timestamps).
    public var problem: String?

    /// As kubectl names the object: `lease.coordination.k8s.io/NAME`, `configmap/NAME`,
    /// `endpoints/NAME`, and `configmap/NAME[group]` for a Camel lock's key.
    public var displayName: String {
        switch source {
        case .lease: return "lease.coordination.k8s.io/\(objectName)"
        case .annotation(let kind): return "\(kind.lowercased())/\(objectName)"
        case .camel(let group): return "configmap/\(objectName)[\(group)]"
        }
    }

    /// The object's apiVersion and kind.
    public var objectType: (apiVersion: String, kind: String) {
        switch source {
        case .lease: return ("coordination.k8s.io/v1", "Lease")
        case .annotation(let kind): return ("v1", kind)
        case .camel: return ("v1", "ConfigMap")
        }
    }

    public var isReleased: Bool { (holder ?? "").isEmpty }

    /// Node heartbeats and API-server identity leases: noise unless `--all`.
    public var isSystemHeartbeat: Bool {
        namespace == "kube-node-lease"
            || labels["k8s.io/component"] == "kube-apiserver"
            || labels["apiserver.kubernetes.io/identity"] != nil
    }

    public init(
        source: Source, namespace: String, objectName: String, holder: String? = nil, durationSeconds: Int? = nil,
        acquireTime: Date? = nil, renewTime: Date? = nil, transitions: Int? = nil, labels: [String: String] = [:],
        problem: String? = nil
    ) {
        self.source = source
        self.namespace = namespace
        self.objectName = objectName
        self.holder = holder
        self.durationSeconds = durationSeconds
        self.acquireTime = acquireTime
        self.renewTime = renewTime
        self.transitions = transitions
        self.labels = labels
        self.problem = problem
    }
}

/// Reads leader records out of API objects (pure: JSON in, records out).
public enum LeaderRecords {
    /// The legacy annotation key.
    public static let legacyAnnotation = "control-plane.alpha.kubernetes.io/leader"

    /// A Lease object.
    public static func fromLease(_ object: JSONValue) -> LeaderRecord {
        let spec = object["spec"]
        var record = LeaderRecord(
            source: .lease, namespace: object.namespace,
            objectName: object.name, labels: object.labels)
        record.holder = spec?["holderIdentity"]?.stringValue
        record.durationSeconds = spec?["leaseDurationSeconds"]?.intValue
        record.transitions = spec?["leaseTransitions"]?.intValue
        record.problem = readTimes(spec, acquire: &record.acquireTime, renew: &record.renewTime)
        return record
    }

    /// A ConfigMap or Endpoints: its legacy annotation (if any) and, for ConfigMaps, every
    /// Camel `leader.pod.<group>` key.
    public static func fromLockObject(_ object: JSONValue) -> [LeaderRecord] {
        let kind = object["kind"]?.stringValue ?? "ConfigMap"
        let namespace = object.namespace
        let name = object.name
        var records: [LeaderRecord] = []
        if let value = object[path: "metadata", "annotations", legacyAnnotation]?.stringValue {
            records.append(
                fromLegacyAnnotation(value, kind: kind, namespace: namespace, name: name, labels: object.labels))
        }
        if kind == "ConfigMap", let data = object["data"]?.objectValue {
            for key in data.keys.sorted() where key.hasPrefix("leader.pod.") {
                let group = String(key.dropFirst("leader.pod.".count))
                var record = LeaderRecord(
                    source: .camel(group), namespace: namespace, objectName: name,
                    holder: data[key]?.stringValue, labels: object.labels)
                if let stamp = data["leader.local.timestamp.\(group)"]?.stringValue {
                    record.renewTime = KubeTime.parse(stamp)
                    if record.renewTime == nil { record.problem = "unreadable timestamp \"\(stamp)\"" }
                }
                records.append(record)
            }
        }
        return records
    }

    /// Parses the legacy annotation's JSON. A damaged value yields a record with `problem`
    /// set and whatever could be read, never a crash or a guess.
    public static func fromLegacyAnnotation(
        _ value: String, kind: String, namespace: String, name: String,
        labels: [String: String] = [:]
    ) -> LeaderRecord {
        var record = LeaderRecord(source: .annotation(kind), namespace: namespace, objectName: name, labels: labels)
        guard let json = try? JSONValue.parse(Data(value.utf8)), case .object = json else {
            record.problem = "the \(legacyAnnotation) annotation is not JSON"
            return record
        }
        record.holder = json["holderIdentity"]?.stringValue
        record.durationSeconds = json["leaseDurationSeconds"]?.intValue
        record.transitions = json["leaderTransitions"]?.intValue
        record.problem = readTimes(json, acquire: &record.acquireTime, renew: &record.renewTime)
        if record.problem == nil, json["renewTime"] == nil, record.holder?.isEmpty == false {
            record.problem = "the \(legacyAnnotation) annotation has no renewTime"
        }
        return record
    }

    private static func readTimes(_ object: JSONValue?, acquire: inout Date?, renew: inout Date?) -> String? {
        var problems: [String] = []
        for (key, apply) in [("acquireTime", 0), ("renewTime", 1)] {
            guard let value = object?[key] else { continue }
            if case .null = value { continue }
            guard let text = value.stringValue, let date = KubeTime.parse(text) else {
                problems.append("unreadable \(key)")
                continue
            }
            if apply == 0 { acquire = date } else { renew = date }
        }
        return problems.isEmpty ? nil : problems.joined(separator: ", ")
    }

}
