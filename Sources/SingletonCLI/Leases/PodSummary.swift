import Foundation
import KubeAPIMachinery
import SingletonCore

/// What the plugin needs to know about a pod: whose it is and whether it counts.
public struct PodSummary: Sendable, Equatable {
    public var name: String
    public var namespace: String
    public var labels: [String: String]
    public var ownerKind: String?
    public var ownerName: String?
    public var phase: String
    /// `metadata.deletionTimestamp` is set: shown apart, it is on its way out.
    public var terminating: Bool
    public var ready: Bool

    public init(
        name: String, namespace: String, labels: [String: String] = [:], ownerKind: String? = nil,
        ownerName: String? = nil, phase: String = "Running", terminating: Bool = false, ready: Bool = true
    ) {
        self.name = name
        self.namespace = namespace
        self.labels = labels
        self.ownerKind = ownerKind
        self.ownerName = ownerName
        self.phase = phase
        self.terminating = terminating
        self.ready = ready
    }

    /// Reads a Pod object.
    public init(_ pod: JSONValue) {
        let meta = pod["metadata"]
        let owner =
            meta?["ownerReferences"]?.arrayValue?.first { $0["controller"]?.boolValue == true }
            ?? meta?["ownerReferences"]?.arrayValue?.first
        let conditions = pod[path: "status", "conditions"]?.arrayValue ?? []
        self.init(
            name: meta?["name"]?.stringValue ?? "",
            namespace: meta?["namespace"]?.stringValue ?? "",
            labels: (meta?["labels"]?.objectValue ?? [:]).compactMapValues(\.stringValue),
            ownerKind: owner?["kind"]?.stringValue,
            ownerName: owner?["name"]?.stringValue,
            phase: pod[path: "status", "phase"]?.stringValue ?? "Pending",
            terminating: meta?["deletionTimestamp"].map { $0 != .null } ?? false,
            ready: conditions.contains { $0["type"]?.stringValue == "Ready" && $0["status"]?.stringValue == "True" })
    }

    /// Pods that are not finished (Succeeded/Failed pods no longer run anything).
    public var isActive: Bool { phase != "Succeeded" && phase != "Failed" }

    /// The workload that controls the pod, as `KIND/NAME` (`deployment.apps/web`). A pod
    /// of a ReplicaSet whose name is `<deployment>-<pod-template-hash>` belongs to that
    /// Deployment, which is how the Deployment controller names them.
    public var workload: String? {
        guard let kind = ownerKind, let owner = ownerName else { return nil }
        if kind == "ReplicaSet", let hash = labels["pod-template-hash"], owner.hasSuffix("-" + hash) {
            return "deployment.apps/" + owner.dropLast(hash.count + 1)
        }
        if let k = WorkloadKind(rawValue: kind) { return "\(k.qualifiedSingular)/\(owner)" }
        return "\(kind.lowercased())/\(owner)"
    }
}

/// A leader record joined with the pod its holder names and the clock.
public struct LeaseView: Sendable, Equatable {
    public var record: LeaderRecord
    public var pod: PodSummary?
    /// Seconds since renewTime by the local clock; nil when unknown.
    public var renewedSecondsAgo: Double?
    /// An estimate (the holder's clock is not ours): nil when it cannot be judged.
    public var expired: Bool?

    /// Joins a record with the pods of its namespace and judges expiry by `now` (the local clock).
    public init(record: LeaderRecord, pods: [PodSummary], now: Date) {
        self.init(record: record, now: now) { name in
            pods.first { $0.namespace == record.namespace && $0.name == name }
        }
    }

    /// The same, with `pod` finding a pod of the record's namespace by name.
    init(record: LeaderRecord, now: Date, pod: (String) -> PodSummary?) {
        self.record = record
        self.pod = LeaseView.resolve(holder: record.holder, pod)
        self.renewedSecondsAgo = record.renewTime.map { now.timeIntervalSince($0) }
        if record.isReleased {
            expired = nil
        } else if let ago = renewedSecondsAgo, let duration = record.durationSeconds {
            expired = ago > Double(duration)
        } else {
            expired = nil
        }
    }

    /// Resolves a holder identity to a pod in the lock's namespace: first by exact name
    /// (Camel, custom electors), then by stripping a `_suffix` (client-go's
    /// `<hostname>_<uuid>`, where the hostname in a pod is the pod name).
    public static func resolve(holder: String?, namespace: String, pods: [PodSummary]) -> PodSummary? {
        resolve(holder: holder) { name in pods.first { $0.namespace == namespace && $0.name == name } }
    }

    static func resolve(holder: String?, _ pod: (String) -> PodSummary?) -> PodSummary? {
        guard let holder, !holder.isEmpty else { return nil }
        if let exact = pod(holder) { return exact }
        if let underscore = holder.lastIndex(of: "_") { return pod(String(holder[..<underscore])) }
        return nil
    }

    /// `3s ago`, `-` when unknown; a renewTime in the future says so (clock skew).
    public var renewedText: String {
        guard let ago = renewedSecondsAgo else { return "-" }
        if ago < 0 { return "in \(humanDuration(seconds: -ago)) (clock skew)" }
        return "\(humanDuration(seconds: ago)) ago"
    }

    /// `no`, `yes (est.)`, `released`, or `unknown`.
    public var expiredText: String {
        if record.isReleased { return "released" }
        guard let expired else { return "unknown" }
        return expired ? "yes (est.)" : "no"
    }
}
