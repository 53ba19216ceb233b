/// The user contract: the annotations that make a workload a singleton.
///
/// Presence of `kube-singleton.dev/mode` makes a workload a singleton; its value picks
/// between availability (`at-least-one`) and consistency (`at-most-one`). Everything the
/// webhook and the plugin decide starts from parsing these annotations, so the parser is
/// strict: an unknown value is an error that lists the accepted ones, never a silent default.
public enum SingletonAnnotation {
    /// The annotation whose presence makes a workload a singleton.
    public static let mode = "kube-singleton.dev/mode"
    /// Optional: the Lease the application uses for in-app leader election.
    public static let lease = "kube-singleton.dev/lease"
    /// Optional: `deny` (the default) or `warn`, what a breach of the contract gets. Also the
    /// namespace label that sends a whole namespace to the webhook's warn-only path.
    public static let enforcement = "kube-singleton.dev/enforcement"
    /// The label carried by every object the plugin creates.
    public static let managedByLabel = "app.kubernetes.io/managed-by"
    /// The value of `managedByLabel` on objects the plugin creates.
    public static let managedByValue = "kubectl-singleton"
}

/// How a singleton trades availability against consistency.
public enum SingletonMode: String, Sendable, CaseIterable, Codable, CustomStringConvertible {
    /// Favours consistency: never two pods, so no surging rollouts (StatefulSet semantics).
    case atMostOne = "at-most-one"
    /// Favours availability: one replica, a surge during rollouts is acceptable.
    case atLeastOne = "at-least-one"

    public var description: String { rawValue }

    /// The accepted values, for error messages and `--help`.
    public static let acceptedValues = allCases.map(\.rawValue).joined(separator: ", ")
}

/// What a request that breaches the contract gets: denied, or allowed with a warning, an
/// audit annotation and a `warn` metric (to roll a singleton out safely, like Kyverno's
/// Audit or ValidatingAdmissionPolicy's Warn).
public enum Enforcement: String, Sendable, CaseIterable, Codable, CustomStringConvertible {
    case deny
    case warn

    public var description: String { rawValue }

    /// The accepted values, for error messages and `--help`.
    public static let acceptedValues = allCases.map(\.rawValue).joined(separator: ", ")

    /// The enforcement in force: `warn` when either the cluster (the webhook's flag or its
    /// warn-only path) or the workload says so. The annotation belongs to the workload's
    /// owner, who can already opt out by removing the mode, so it may only soften.
    public static func effective(cluster: Enforcement, workload: Enforcement?) -> Enforcement {
        cluster == .warn || workload == .warn ? .warn : .deny
    }

    /// A raw annotation value, trimmed as the mode is; nil when unknown.
    init?(annotation raw: String) {
        let value = trimmed(raw)
        guard let known = Self.allCases.first(where: { $0.rawValue == value }) else { return nil }
        self = known
    }

    /// The workload's own enforcement from its raw annotation value: an absent or unknown
    /// value enforces nothing softer (an unknown one is denied by the contract itself).
    static func of(annotation raw: String?) -> Enforcement? {
        raw.flatMap { Enforcement(annotation: $0) }
    }
}

/// A parsed, valid singleton contract.
public struct SingletonSpec: Sendable, Equatable {
    public var mode: SingletonMode
    public var lease: String?
    public var enforcement: Enforcement

    public init(mode: SingletonMode, lease: String? = nil, enforcement: Enforcement = .deny) {
        self.mode = mode
        self.lease = lease
        self.enforcement = enforcement
    }
}

/// Why a set of annotations does not form a valid contract.
public enum ContractError: Error, Sendable, Equatable, CustomStringConvertible {
    case unknownMode(String)
    case emptyLease
    case unknownEnforcement(String)

    public var description: String {
        switch self {
        case .unknownMode(let value):
            return
                "unknown value \(quoted(value)) for annotation \(SingletonAnnotation.mode); accepted values: \(SingletonMode.acceptedValues)"
        case .emptyLease:
            return
                "annotation \(SingletonAnnotation.lease) is empty; set it to the name of the Lease the application locks, or remove it"
        case .unknownEnforcement(let value):
            return
                "unknown value \(quoted(value)) for annotation \(SingletonAnnotation.enforcement); accepted values: \(Enforcement.acceptedValues)"
        }
    }
}

/// The contract as read from an object's annotations.
public enum ContractState: Sendable, Equatable {
    /// No mode annotation: not a singleton, not ours to judge.
    case absent
    case valid(SingletonSpec)
    case invalid(ContractError, rawMode: String)

    /// Reads the contract from annotations. Values are trimmed of surrounding whitespace,
    /// since YAML block scalars easily add a newline, but otherwise matched exactly.
    public init(annotations: [String: String]?) {
        guard let raw = annotations?[SingletonAnnotation.mode] else {
            self = .absent
            return
        }
        self.init(
            mode: raw, lease: annotations?[SingletonAnnotation.lease],
            enforcement: annotations?[SingletonAnnotation.enforcement])
    }

    /// Reads the contract from the raw values of its annotations (nil: absent).
    init(mode raw: String?, lease rawLease: String?, enforcement rawEnforcement: String? = nil) {
        guard let raw else {
            self = .absent
            return
        }
        let value = trimmed(raw)
        // `==` against each raw value: `init(rawValue:)` searches a string switch, which
        // showed up as its own cost on every request.
        guard let mode = SingletonMode.allCases.first(where: { $0.rawValue == value }) else {
            self = .invalid(.unknownMode(raw), rawMode: raw)
            return
        }
        var lease: String? = nil
        if let rawLease {
            let value = trimmed(rawLease)
            if value.isEmpty {
                self = .invalid(.emptyLease, rawMode: raw)
                return
            }
            lease = value
        }
        var enforcement = Enforcement.deny
        if let rawEnforcement {
            guard let known = Enforcement(annotation: rawEnforcement) else {
                self = .invalid(.unknownEnforcement(rawEnforcement), rawMode: raw)
                return
            }
            enforcement = known
        }
        self = .valid(SingletonSpec(mode: mode, lease: lease, enforcement: enforcement))
    }

    /// True when the object carries the mode annotation at all (valid or not).
    public var isPresent: Bool {
        if case .absent = self { return false }
        return true
    }

    public var spec: SingletonSpec? {
        if case .valid(let spec) = self { return spec }
        return nil
    }
}

import Foundation

/// Trims surrounding whitespace, returning the string untouched (no Foundation bridging) in
/// the common case where there is none: this runs on every admission request.
func trimmed(_ s: String) -> String {
    // Printable ASCII at both ends (the usual "at-most-one"): nothing to trim, and no
    // CharacterSet lookup, which goes through CoreFoundation and showed in the profile.
    // The ends are read from contiguous storage, which every native string has:
    // `utf8.last` went through the generic collection path.
    // (A string without contiguous storage just takes the CharacterSet path below.)
    func plain(_ b: UInt8) -> Bool { b > 0x20 && b < 0x80 }
    let plainEnds = s.utf8.withContiguousStorageIfAvailable { !$0.isEmpty && plain($0[0]) && plain($0[$0.count - 1]) }
    if plainEnds == true { return s }
    let ws = CharacterSet.whitespacesAndNewlines
    guard let head = s.unicodeScalars.first, let tail = s.unicodeScalars.last,
        ws.contains(head) || ws.contains(tail)
    else { return s }
    return s.trimmingCharacters(in: ws)
}

func quoted(_ s: String) -> String {
    "\"" + s.replacingOccurrences(of: "\"", with: "\\\"") + "\""
}
