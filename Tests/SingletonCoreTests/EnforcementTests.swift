import Foundation
import Testing
@testable import SingletonCore

/// One row of the enforcement table: a review, the cluster's enforcement, what the parent
/// lookup finds, and the verdict expected.
struct EnforcementCase: CustomTestStringConvertible, Sendable {
    let name: String
    let builder: @Sendable () -> ReviewBuilder
    var cluster: Enforcement = .deny
    var unverified: UnverifiedParentPolicy = .allow
    var parent: ParentLookup? = nil
    let verdict: AdmissionDecision.Verdict
    /// Nil: any rule (the rows for rules that live elsewhere).
    let rule: DecisionRule?
    /// What the decision's message (the denial's, kept under warn) must contain.
    var message: [String] = []
    var testDescription: String { name }
}

private let warnAnnotation = [SingletonAnnotation.enforcement: "warn"]

private func deployment(
    _ old: Int?, _ new: Int, mode: String = "at-most-one", _ ann: [String: String] = [:]
)
    -> ReviewBuilder
{
    var b = ReviewBuilder()
    b.operation = old == nil ? "CREATE" : "UPDATE"
    b.object = workload(replicas: new, mode: mode, annotations: ann)
    b.oldObject = old.map { workload(replicas: $0, mode: mode, annotations: ann) }
    return b
}

/// A one-replica at-least-one singleton that gets `annotations` in this update.
private func added(_ annotations: [String: String]) -> ReviewBuilder {
    var b = deployment(1, 1, mode: "at-least-one")
    b.object = workload(replicas: 1, mode: "at-least-one", annotations: annotations)
    return b
}

private func scaleUp(_ old: Int, _ new: Int) -> ReviewBuilder {
    var b = ReviewBuilder()
    b.kind = "Scale"; b.subResource = "scale"; b.operation = "UPDATE"
    b.object = scaleObject(replicas: new); b.oldObject = scaleObject(replicas: old)
    return b
}

private func hpa(max: Int) -> ReviewBuilder {
    var b = ReviewBuilder()
    b.group = "autoscaling"; b.version = "v2"; b.resource = "horizontalpodautoscalers"
    b.kind = "HorizontalPodAutoscaler"; b.name = "web-hpa"; b.operation = "CREATE"
    b.object = hpaObject(maxReplicas: max)
    return b
}

private func parent(_ annotations: [String: String]) -> ParentLookup {
    var meta = parentMeta(mode: "at-most-one")
    meta.annotations?.merge(annotations) { $1 }
    return .found(meta)
}

let enforcementCases: [EnforcementCase] = [
    .init(
        name: "scale out of a workload in warn is warned", builder: { deployment(1, 3, warnAnnotation) },
        verdict: .warn, rule: .replicas, message: ["spec.replicas would be 3"]),
    .init(
        name: "the same scale out without the annotation is denied", builder: { deployment(1, 3) },
        verdict: .deny, rule: .replicas),
    .init(
        name: "the cluster in warn warns a workload without the annotation", builder: { deployment(1, 3) },
        cluster: .warn, verdict: .warn, rule: .replicas),
    .init(
        name: "an explicit deny does not override the cluster's warn",
        builder: { deployment(1, 3, [SingletonAnnotation.enforcement: "deny"]) }, cluster: .warn,
        verdict: .warn, rule: .replicas),
    .init(
        name: "an explicit deny is denied", builder: { deployment(1, 3, [SingletonAnnotation.enforcement: "deny"]) },
        verdict: .deny, rule: .replicas),
    .init(
        name: "a value with a trailing newline is warn",
        builder: { deployment(1, 3, [SingletonAnnotation.enforcement: "warn\n"]) }, verdict: .warn, rule: .replicas),
    .init(
        name: "an unknown enforcement is denied with the accepted values",
        builder: { added([SingletonAnnotation.enforcement: "audit"]) }, verdict: .deny,
        rule: .unknownMode,
        message: [
            "unknown value \"audit\" for annotation kube-singleton.dev/enforcement", "accepted values: deny, warn",
        ]
    ),
    .init(
        name: "an unknown enforcement under the cluster's warn is warned",
        builder: { added([SingletonAnnotation.enforcement: "Warn"]) }, cluster: .warn, verdict: .warn,
        rule: .unknownMode, message: ["accepted values: deny, warn"]),
    .init(
        name: "an unknown enforcement kept from before is not re-litigated",
        builder: {
            var b = deployment(1, 1, [SingletonAnnotation.enforcement: "audit"])
            b.object = workload(
                replicas: 1, mode: "at-most-one", annotations: [SingletonAnnotation.enforcement: "audit", "x": "y"])
            return b
        }, verdict: .allow, rule: .unknownMode),
    .init(
        name: "a compliant workload in warn is a plain allow",
        builder: { deployment(1, 1, mode: "at-least-one", warnAnnotation) },
        verdict: .allow, rule: .compliant),
    .init(
        name: "a surging at-most-one Deployment in warn is warned",
        builder: {
            var b = ReviewBuilder()
            b.operation = "CREATE"
            b.object = workload(
                mode: "at-most-one", annotations: warnAnnotation,
                strategy: ["type": "RollingUpdate", "rollingUpdate": ["maxSurge": 1, "maxUnavailable": 0]])
            return b
        }, verdict: .warn, rule: .surge, message: ["maxSurge 1"]),
    .init(
        name: "enforcement without the mode is not a singleton",
        builder: {
            var b = ReviewBuilder()
            b.operation = "CREATE"
            b.object = workload(replicas: 3, annotations: warnAnnotation)
            return b
        }, verdict: .allow, rule: .notOurs),
    .init(
        name: "switching warn to deny at 3 replicas is denied: scale to 1 first",
        builder: {
            var b = deployment(3, 3, [SingletonAnnotation.enforcement: "deny"])
            b.oldObject = workload(replicas: 3, mode: "at-most-one", annotations: warnAnnotation)
            return b
        }, verdict: .deny, rule: .replicas),
    .init(
        name: "an owned ReplicaSet raised by a user in warn is warned",
        builder: {
            var b = ReviewBuilder()
            b.resource = "replicasets"; b.kind = "ReplicaSet"
            b.object = workload(
                kind: "ReplicaSet", replicas: 3, mode: "at-most-one", annotations: warnAnnotation,
                ownerKind: "Deployment")
            b.oldObject = workload(
                kind: "ReplicaSet", replicas: 1, mode: "at-most-one", annotations: warnAnnotation,
                ownerKind: "Deployment")
            return b
        }, verdict: .warn, rule: .replicas, message: ["belongs to Deployment default/owner"]),
    .init(
        name: "kubectl scale of a parent in warn is warned", builder: { scaleUp(1, 3) },
        parent: parent(warnAnnotation), verdict: .warn, rule: .replicas, message: ["scaling to 3 replicas is denied"]),
    .init(
        name: "kubectl scale of a parent in deny is denied", builder: { scaleUp(1, 3) }, parent: parent([:]),
        verdict: .deny, rule: .replicas),
    .init(
        name: "the Scale's own annotations do not count, the parent's do",
        builder: {
            var b = scaleUp(1, 3)
            var scale = scaleObject(replicas: 3)
            scale["metadata"] = [
                "name": "web", "namespace": "default", "uid": "uid-web", "annotations": warnAnnotation,
            ]
            b.object = scale
            return b
        }, parent: parent([:]), verdict: .deny, rule: .replicas),
    .init(
        name: "kubectl scale of a parent with an unknown enforcement is denied", builder: { scaleUp(1, 3) },
        parent: parent([SingletonAnnotation.enforcement: "dryrun"]), verdict: .deny, rule: .unknownMode,
        message: ["accepted values: deny, warn"]),
    .init(
        name: "an HPA aimed at a parent in warn is warned", builder: { hpa(max: 3) }, parent: parent(warnAnnotation),
        verdict: .warn, rule: .horizontalPodAutoscaler, message: ["maxReplicas 3"]),
    .init(
        name: "an unverified parent under --on-lookup-failure=deny and the cluster's warn is warned",
        builder: { scaleUp(1, 3) }, cluster: .warn, unverified: .deny, parent: .unavailable("api down"),
        verdict: .warn, rule: .unverifiedParent, message: ["api down"]),
    .init(
        name: "an unverified parent under --on-lookup-failure=deny is denied", builder: { scaleUp(1, 3) },
        unverified: .deny, parent: .unavailable("api down"), verdict: .deny, rule: .unverifiedParent),
]

/// A CronJob (default `concurrencyPolicy: Allow`) and a ScaledObject (no maxReplicaCount)
/// that their rules deny: warn reaches them through the same mapping.
let enforcementNewKindCases: [EnforcementCase] = [
    .init(
        name: "a CronJob in warn that would run two Jobs is warned", builder: { cronJob(warnAnnotation) },
        verdict: .warn, rule: nil),
    .init(name: "the same CronJob without warn is denied", builder: { cronJob([:]) }, verdict: .deny, rule: nil),
    .init(
        name: "a ScaledObject aimed at a parent in warn is warned", builder: { scaledObject() },
        parent: parent(warnAnnotation), verdict: .warn, rule: nil),
    .init(
        name: "a ScaledObject aimed at a parent in deny is denied", builder: { scaledObject() }, parent: parent([:]),
        verdict: .deny, rule: nil),
]

private func cronJob(_ annotations: [String: String]) -> ReviewBuilder {
    var b = ReviewBuilder()
    b.group = "batch"; b.resource = "cronjobs"; b.kind = "CronJob"; b.name = "report"; b.operation = "CREATE"
    var ann = annotations
    ann[SingletonAnnotation.mode] = "at-most-one"
    b.object = [
        "apiVersion": "batch/v1", "kind": "CronJob",
        "metadata": ["name": "report", "namespace": "default", "annotations": ann],
        "spec": [
            "schedule": "*/5 * * * *",
            "jobTemplate": ["spec": ["template": ["spec": ["containers": [["name": "c", "image": "busybox"]]]]]],
        ],
    ]
    return b
}

private func scaledObject() -> ReviewBuilder {
    var b = ReviewBuilder()
    b.group = "keda.sh"; b.version = "v1alpha1"; b.resource = "scaledobjects"; b.kind = "ScaledObject"
    b.name = "web-scaler"; b.operation = "CREATE"
    b.object = [
        "apiVersion": "keda.sh/v1alpha1", "kind": "ScaledObject",
        "metadata": ["name": "web-scaler", "namespace": "default"],
        "spec": ["scaleTargetRef": ["name": "web"], "triggers": [["type": "cron", "metadata": [:] as [String: Any]]]],
    ]
    return b
}

@Suite struct EnforcementTests {
    @Test func eitherWarnIsEnough() {
        let table: [(Enforcement, Enforcement?, Enforcement)] = [
            (.deny, nil, .deny), (.deny, .deny, .deny), (.deny, .warn, .warn), (.warn, nil, .warn),
            (.warn, .deny, .warn), (.warn, .warn, .warn),
        ]
        for (cluster, workload, expected) in table {
            #expect(
                Enforcement.effective(cluster: cluster, workload: workload) == expected, "\(cluster) \(workload as Any)"
            )
        }
    }

    @Test func contractReadsTheEnforcement() {
        func state(_ ann: [String: String]) -> ContractState { ContractState(annotations: ann) }
        let mode = SingletonAnnotation.mode, enforcement = SingletonAnnotation.enforcement
        #expect(state([mode: "at-most-one"]).spec?.enforcement == .deny)
        #expect(state([mode: "at-most-one", enforcement: " warn\n"]).spec?.enforcement == .warn)
        #expect(state([mode: "at-most-one", enforcement: "deny"]).spec?.enforcement == .deny)
        #expect(state([enforcement: "warn"]) == .absent)
        #expect(
            state([mode: "at-most-one", enforcement: ""]) == .invalid(.unknownEnforcement(""), rawMode: "at-most-one"))
        #expect(
            "\(ContractError.unknownEnforcement("audit"))"
                == "unknown value \"audit\" for annotation kube-singleton.dev/enforcement; accepted values: deny, warn")
    }

    @Test func warnTurnsADenialIntoAWarningAndNothingElse() {
        let denial = AdmissionDecision.deny(.replicas, mode: .atMostOne, message: "too many", warnings: ["caveat"])
        #expect(denial.enforced(.deny) == denial)
        let warned = denial.enforced(.warn)
        #expect(warned.allowed && warned.code == nil && warned.wouldDeny && warned.verdict == .warn)
        #expect(warned.warnings == ["too many (Allowed: enforcement is warn.)", "caveat"])
        #expect(warned.rule == .replicas && warned.mode == .atMostOne && warned.message == "too many")
        let response = warned.response(uid: "u")
        #expect(response.allowed && response.status == nil)
        #expect(response.auditAnnotations == ["rule": "replicas", "mode": "at-most-one", "would-deny": "too many"])
        #expect(warned.enforced(.warn) == warned)

        let allow = AdmissionDecision.allow(.compliant, warnings: ["w"])
        #expect(allow.enforced(.warn) == allow && allow.verdict == .allow)
        let malformed = AdmissionDecision.deny(.malformed, message: "carries no object")
        #expect(malformed.enforced(.warn) == malformed && malformed.verdict == .deny)
    }

    /// Each row reviewed end to end, bytes in and bytes out, through the path the webhook
    /// takes (the byte reader when it takes the body) and checked against the Codable model.
    @Test(arguments: enforcementCases + enforcementNewKindCases)
    func review(_ c: EnforcementCase) throws {
        let body = c.builder().json()
        let policy = SingletonPolicy(unverifiedParent: c.unverified, enforcement: c.cluster)
        let outcome = policy.review(body) { _ in c.parent ?? .notFound }
        let decision = try #require(outcome.decision)
        #expect(decision.verdict == c.verdict, "\(decision)")
        if let rule = c.rule { #expect(decision.rule == rule) }
        for part in c.message {
            #expect(decision.message?.contains(part) == true, "\(decision.message ?? "nil") lacks \(part)")
        }
        let response = outcome.response
        #expect(response.uid == ReviewBuilder().uid)
        #expect(response.allowed == (c.verdict != .deny))
        if c.verdict == .warn {
            let message = try #require(decision.message)
            #expect(response.warnings?.first?.hasPrefix(message) == true)
            #expect(response.auditAnnotations?[AdmissionDecision.wouldDenyAuditKey] == message)
        } else {
            #expect(response.auditAnnotations?[AdmissionDecision.wouldDenyAuditKey] == nil)
        }
        // The bytes written are the Codable encoder's, and the lane agrees with the model.
        #expect(outcome.body == AdmissionReview.encodeResponseCodable(response))
        let reference = try AdmissionReview.decodeRequestCodable(body).get()
        #expect(
            policy.decide(reference, parent: policy.parentReference(for: reference).map { _ in c.parent ?? .notFound })
                == decision)
    }

    @Test func theReaderAndTheModelAgreeOnEveryRow() {
        for c in enforcementCases + enforcementNewKindCases {
            let report = ReviewAgreement.check(c.builder().json())
            #expect(report.disagreements.isEmpty, "\(c.name): \(report.disagreements)")
        }
    }
}
