/// The verdict on one AdmissionRequest, before it is wrapped into a response.
public struct AdmissionDecision: Sendable, Equatable {
    public var allowed: Bool
    /// HTTP code for denials: 403 (kubectl prints "Forbidden" only for 403).
    public var code: Int?
    public var message: String?
    public var warnings: [String]
    /// Which rule decided: a short stable token for logs, metrics and audit annotations.
    public var rule: DecisionRule
    /// The singleton mode involved, when there was one.
    public var mode: SingletonMode?

    public static func allow(
        _ rule: DecisionRule, mode: SingletonMode? = nil, warnings: [String] = []
    ) -> AdmissionDecision {
        AdmissionDecision(allowed: true, code: nil, message: nil, warnings: warnings, rule: rule, mode: mode)
    }

    public static func deny(
        _ rule: DecisionRule, mode: SingletonMode? = nil, message: String, warnings: [String] = []
    ) -> AdmissionDecision {
        AdmissionDecision(allowed: false, code: 403, message: message, warnings: warnings, rule: rule, mode: mode)
    }

    /// The status of a denial (shared with `ResponseWriter.encode(_:uid:)`).
    static func status(code: Int?, message: String?) -> ResponseStatus {
        ResponseStatus(code: code ?? 403, reason: "Forbidden", message: message ?? "denied")
    }

    /// Wraps the decision into the response for request `uid`.
    public func response(uid: String) -> AdmissionResponse {
        var audit = ["rule": rule.rawValue]
        if let mode { audit["mode"] = mode.rawValue }
        return AdmissionResponse(
            uid: uid,
            allowed: allowed,
            status: allowed ? nil : Self.status(code: code, message: message),
            warnings: warnings.isEmpty ? nil : warnings,
            auditAnnotations: audit
        )
    }
}

/// The rule that produced a decision.
public enum DecisionRule: String, Sendable, CaseIterable {
    /// Not a singleton, not our kind, not an operation we judge.
    case notOurs = "not-ours"
    /// A singleton within its contract.
    case compliant
    /// A decrease toward compliance: always allowed.
    case decrease
    /// The singleton annotation is being removed: the opt-out.
    case optOut = "opt-out"
    /// A ReplicaSet controlled by a Deployment: the Deployment controller's business.
    case ownedByDeployment = "owned-by-deployment"
    case replicas
    case surge
    case unknownMode = "unknown-mode"
    case horizontalPodAutoscaler = "hpa"
    /// A KEDA ScaledObject aimed at a singleton.
    case scaledObject = "scaledobject"
    /// A CronJob whose concurrencyPolicy lets two runs overlap.
    case concurrencyPolicy = "concurrency-policy"
    /// A Job (or a CronJob's Job template) with parallelism above 1.
    case parallelism
    /// The parent of a scale or HPA request could not be verified.
    case unverifiedParent = "unverified-parent"
    case malformed
}

/// What the caller learned about the parent workload of a scale, HPA or ScaledObject request.
public enum ParentLookup: Sendable, Equatable {
    /// The parent's metadata (from a metadata-only cache or a GET).
    case found(ObjectMeta)
    /// The API says there is no such object.
    case notFound
    /// The lookup failed (API down, RBAC, timeout): the caller's policy decides.
    case unavailable(String)
}

/// What to do when a scale or HPA request's parent cannot be verified.
public enum UnverifiedParentPolicy: String, Sendable, CaseIterable {
    /// Allow, with an admission warning (the default: a webhook that cannot reach the API
    /// must not freeze every scale operation in the cluster).
    case allow
    /// Deny: the singleton guarantee wins over availability of scaling.
    case deny
}

/// The parent a scale or HPA request must be judged against.
public struct ParentReference: Sendable, Hashable, CustomStringConvertible {
    public var kind: WorkloadKind
    public var namespace: String
    public var name: String
    /// For scale requests: the Scale's uid, which equals the parent's.
    public var expectedUID: String?

    public init(kind: WorkloadKind, namespace: String, name: String, expectedUID: String? = nil) {
        self.kind = kind
        self.namespace = namespace
        self.name = name
        self.expectedUID = expectedUID
    }

    public var description: String { "\(kind.rawValue) \(namespace)/\(name)" }
}
