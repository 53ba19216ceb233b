import Foundation
import KubeAPIMachinery

/// The spec of a `coordination.k8s.io/v1` Lease as leader election uses it, field for field
/// with client-go's `LeaderElectionRecord`, so client-go apps, `kubectl get lease` and
/// `kubectl singleton leases` read what this writes as their own.
public struct LeaseRecord: Sendable, Equatable {
    /// Empty or nil: released (nobody holds it).
    public var holderIdentity: String?
    public var leaseDurationSeconds: Int?
    public var acquireTime: Date?
    public var renewTime: Date?
    public var leaseTransitions: Int?

    public init(
        holderIdentity: String? = nil, leaseDurationSeconds: Int? = nil, acquireTime: Date? = nil,
        renewTime: Date? = nil, leaseTransitions: Int? = nil
    ) {
        self.holderIdentity = holderIdentity
        self.leaseDurationSeconds = leaseDurationSeconds
        self.acquireTime = acquireTime
        self.renewTime = renewTime
        self.leaseTransitions = leaseTransitions
    }

    /// True when someone holds it (client-go's `len(HolderIdentity) > 0`).
    public var isHeld: Bool { !(holderIdentity ?? "").isEmpty }

    /// Reads the `spec` of a Lease object. Unreadable timestamps read as absent: the elector
    /// never trusts them anyway (it times validity on its own clock, as client-go does).
    public init(lease object: JSONValue) {
        let spec = object["spec"]
        self.init(
            holderIdentity: spec?["holderIdentity"]?.stringValue,
            leaseDurationSeconds: spec?["leaseDurationSeconds"]?.intValue,
            acquireTime: spec?["acquireTime"]?.stringValue.flatMap(MicroTime.parse),
            renewTime: spec?["renewTime"]?.stringValue.flatMap(MicroTime.parse),
            leaseTransitions: spec?["leaseTransitions"]?.intValue)
    }

    /// The spec as JSON. Absent fields are left out, as Go's `omitempty` does.
    public var specJSON: JSONValue {
        var spec: [String: JSONValue] = [:]
        if let holderIdentity { spec["holderIdentity"] = .string(holderIdentity) }
        if let leaseDurationSeconds { spec["leaseDurationSeconds"] = .int(Int64(leaseDurationSeconds)) }
        if let acquireTime { spec["acquireTime"] = .string(MicroTime.format(acquireTime)) }
        if let renewTime { spec["renewTime"] = .string(MicroTime.format(renewTime)) }
        if let leaseTransitions { spec["leaseTransitions"] = .int(Int64(leaseTransitions)) }
        return .object(spec)
    }

    /// `object` (a Lease read from the server, metadata and resourceVersion kept) with this
    /// record as its spec: an update that changes nothing else.
    public func applied(to object: JSONValue) -> JSONValue {
        var lease = object
        var spec = object["spec"]?.objectValue ?? [:]
        for key in ["holderIdentity", "leaseDurationSeconds", "acquireTime", "renewTime", "leaseTransitions"] {
            spec[key] = specJSON[key]
        }
        lease["spec"] = .object(spec)
        return lease
    }

    /// A new Lease object holding this record.
    public func newLease(name: String, namespace: String) -> JSONValue {
        [
            "apiVersion": "coordination.k8s.io/v1", "kind": "Lease",
            "metadata": ["name": .string(name), "namespace": .string(namespace)],
            "spec": specJSON,
        ]
    }
}

/// Kubernetes `MicroTime`: RFC 3339 with exactly six fractional digits, in UTC
/// (`2006-01-02T15:04:05.000000Z07:00`, which Go prints with `Z` for UTC).
public enum MicroTime {
    public static func format(_ date: Date) -> String {
        let micros = Int64((date.timeIntervalSince1970 * 1_000_000).rounded())
        let seconds = micros >= 0 ? micros / 1_000_000 : (micros - 999_999) / 1_000_000
        let fraction = micros - seconds * 1_000_000
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let c = calendar.dateComponents(
            [.year, .month, .day, .hour, .minute, .second], from: Date(timeIntervalSince1970: TimeInterval(seconds)))
        func pad(_ value: Int?, _ width: Int) -> String {
            let text = String(value ?? 0)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return "\(pad(c.year, 4))-\(pad(c.month, 2))-\(pad(c.day, 2))T\(pad(c.hour, 2)):\(pad(c.minute, 2)):"
            + "\(pad(c.second, 2)).\(pad(Int(fraction), 6))Z"
    }

    /// Parses `Time`, `MicroTime` and the other stamps lock records carry (`KubeTime`). Nil
    /// for anything else.
    public static func parse(_ text: String) -> Date? { KubeTime.parse(text) }
}
