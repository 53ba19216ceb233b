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
        let micros = Int64((date.timeIntervalSince1970 * 1_000_000).rounded(.down))
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

    /// Parses RFC 3339 with any number of fractional digits (`Time` has none, `MicroTime`
    /// six) and a `Z` or `±hh:mm` zone. Nil for anything else.
    public static func parse(_ text: String) -> Date? {
        let chars = Array(text)
        guard chars.count >= 20, chars[4] == "-", chars[7] == "-", chars[10] == "T", chars[13] == ":",
            chars[16] == ":"
        else { return nil }
        func number(_ range: Range<Int>) -> Int? {
            let part = chars[range]
            guard part.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
            return Int(String(part))
        }
        guard let year = number(0..<4), let month = number(5..<7), let day = number(8..<10),
            let hour = number(11..<13), let minute = number(14..<16), let second = number(17..<19),
            (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61
        else { return nil }
        var index = 19
        var fraction = 0.0
        if index < chars.count, chars[index] == "." {
            let start = index + 1
            index = start
            while index < chars.count, chars[index].isASCII, chars[index].isNumber { index += 1 }
            guard index > start, let value = Double("0." + String(chars[start..<index])) else { return nil }
            fraction = value
        }
        guard index < chars.count else { return nil }
        var offset = 0
        if chars[index] == "Z" {
            guard index + 1 == chars.count else { return nil }
        } else if chars[index] == "+" || chars[index] == "-" {
            guard chars.count == index + 6, chars[index + 3] == ":",
                let hh = number((index + 1)..<(index + 3)), let mm = number((index + 4)..<(index + 6))
            else { return nil }
            offset = (chars[index] == "+" ? 1 : -1) * (hh * 3600 + mm * 60)
        } else {
            return nil
        }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        guard
            let date = calendar.date(
                from: DateComponents(year: year, month: month, day: day, hour: hour, minute: minute, second: second))
        else { return nil }
        return date.addingTimeInterval(fraction - Double(offset))
    }
}
