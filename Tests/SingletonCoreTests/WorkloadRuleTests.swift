import Foundation
import Testing
@testable import SingletonCore

/// One row of the workload rule table.
struct WorkloadCase: CustomTestStringConvertible, Sendable {
    let name: String
    let builder: @Sendable () -> ReviewBuilder
    let allowed: Bool
    let rule: DecisionRule
    var message: [String] = []
    var warning: [String] = []
    var testDescription: String { name }
}

private func update(
    _ old: [String: Any], _ new: [String: Any], resource: String = "deployments", kind: String = "Deployment",
    group: String = "apps"
) -> ReviewBuilder {
    var b = ReviewBuilder()
    b.resource = resource; b.kind = kind; b.group = group
    b.operation = "UPDATE"; b.object = new; b.oldObject = old
    return b
}

private func create(
    _ new: [String: Any], resource: String = "deployments", kind: String = "Deployment", group: String = "apps"
) -> ReviewBuilder {
    var b = ReviewBuilder()
    b.resource = resource; b.kind = kind; b.group = group
    b.operation = "CREATE"; b.object = new
    return b
}

private var recreate: [String: Any] { ["type": "Recreate"] }
private func rolling(_ surge: Any?, unavailable: Any = 1) -> [String: Any] {
    var ru: [String: Any] = ["maxUnavailable": unavailable]
    if let surge { ru["maxSurge"] = surge }
    return ["type": "RollingUpdate", "rollingUpdate": ru]
}
private let least = "at-least-one"
private let most = "at-most-one"

let workloadCases: [WorkloadCase] = [
    .init(
        name: "create at-least-one with 1 replica", builder: { create(workload(replicas: 1, mode: least)) },
        allowed: true, rule: .compliant),
    .init(
        name: "create with replicas absent (defaults to 1)", builder: { create(workload(replicas: nil, mode: least)) },
        allowed: true, rule: .compliant),
    .init(
        name: "create at-least-one with 3 replicas", builder: { create(workload(replicas: 3, mode: least)) },
        allowed: false, rule: .replicas,
        message: ["Deployment default/web", "spec.replicas is 3", "scale it to 1 first"]),
    .init(
        name: "scale out 1 -> 3 through the workload",
        builder: { update(workload(replicas: 1, mode: least), workload(replicas: 3, mode: least)) },
        allowed: false, rule: .replicas,
        message: [
            "Deployment default/web is a singleton", "kube-singleton.dev/mode=at-least-one", "spec.replicas would be 3",
            "remove the annotation kube-singleton.dev/mode to scale out",
        ]),
    .init(
        name: "replicas exactly 1 stays allowed",
        builder: { update(workload(replicas: 1, mode: least), workload(replicas: 1, mode: least)) },
        allowed: true, rule: .compliant),
    .init(
        name: "decrease 3 -> 2 allowed with a warning",
        builder: { update(workload(replicas: 3, mode: least), workload(replicas: 2, mode: least)) },
        allowed: true, rule: .decrease, warning: ["still has 2 replicas"]),
    .init(
        name: "decrease 3 -> 1 is compliant",
        builder: { update(workload(replicas: 3, mode: least), workload(replicas: 1, mode: least)) },
        allowed: true, rule: .compliant),
    .init(
        name: "unrelated update while already at 3 is denied",
        builder: {
            update(workload(replicas: 3, mode: least), workload(replicas: 3, mode: least, annotations: ["x": "y"]))
        },
        allowed: false, rule: .replicas, message: ["spec.replicas would be 3"]),
    .init(
        name: "annotation added while replicas is 3",
        builder: { update(workload(replicas: 3), workload(replicas: 3, mode: most, strategy: recreate)) },
        allowed: false, rule: .replicas,
        message: ["cannot mark Deployment default/web as a singleton", "scale it to 1 first"]),
    .init(
        name: "annotation added with 1 replica",
        builder: { update(workload(replicas: 1), workload(replicas: 1, mode: least)) },
        allowed: true, rule: .compliant),
    .init(
        name: "annotation removed in the update that scales out",
        builder: { update(workload(replicas: 1, mode: least), workload(replicas: 3)) },
        allowed: true, rule: .optOut, warning: ["no longer a singleton"]),
    .init(
        name: "unknown mode on create", builder: { create(workload(replicas: 1, mode: "at-most-two")) },
        allowed: false, rule: .unknownMode,
        message: [
            "unknown value \"at-most-two\"", "kube-singleton.dev/mode", "accepted values: at-most-one, at-least-one",
        ]),
    .init(
        name: "unknown mode introduced by an update",
        builder: { update(workload(replicas: 1, mode: least), workload(replicas: 1, mode: "single")) },
        allowed: false, rule: .unknownMode, message: ["\"single\""]),
    .init(
        name: "unknown mode kept unchanged warns",
        builder: {
            update(workload(replicas: 1, mode: "x"), workload(replicas: 1, mode: "x", annotations: ["a": "b"]))
        },
        allowed: true, rule: .unknownMode, warning: ["not protected"]),
    .init(
        name: "empty lease annotation is invalid",
        builder: { create(workload(replicas: 1, mode: least, annotations: [SingletonAnnotation.lease: " "])) },
        allowed: false, rule: .unknownMode, message: ["kube-singleton.dev/lease is empty"]),
    .init(
        name: "at-most-one with the default strategy surges (maxSurge 25%)",
        builder: { create(workload(replicas: 1, mode: most)) },
        allowed: false, rule: .surge,
        message: ["at-most-one", "maxSurge 25%, the default", "spec.strategy.type=Recreate"]),
    .init(
        name: "at-most-one RollingUpdate without rollingUpdate block surges",
        builder: { create(workload(replicas: 1, mode: most, strategy: ["type": "RollingUpdate"])) },
        allowed: false, rule: .surge),
    .init(
        name: "at-most-one maxSurge \"25%\"",
        builder: { create(workload(replicas: 1, mode: most, strategy: rolling("25%"))) },
        allowed: false, rule: .surge, message: ["maxSurge 25%)"]),
    .init(
        name: "at-most-one maxSurge 1", builder: { create(workload(replicas: 1, mode: most, strategy: rolling(1))) },
        allowed: false, rule: .surge, message: ["maxSurge 1"]),
    .init(
        name: "at-most-one maxSurge \"1%\" rounds up to one pod",
        builder: { create(workload(replicas: 1, mode: most, strategy: rolling("1%"))) },
        allowed: false, rule: .surge),
    .init(
        name: "at-most-one maxSurge 0", builder: { create(workload(replicas: 1, mode: most, strategy: rolling(0))) },
        allowed: true, rule: .compliant, warning: ["StatefulSet"]),
    .init(
        name: "at-most-one maxSurge \"0%\"",
        builder: { create(workload(replicas: 1, mode: most, strategy: rolling("0%"))) },
        allowed: true, rule: .compliant),
    .init(
        name: "at-most-one Recreate warns about pod deletion",
        builder: { create(workload(replicas: 1, mode: most, strategy: recreate)) },
        allowed: true, rule: .compliant, warning: ["two pods can briefly run", "StatefulSet"]),
    .init(
        name: "at-least-one tolerates the default surge", builder: { create(workload(replicas: 1, mode: least)) },
        allowed: true, rule: .compliant),
    .init(
        name: "at-most-one decrease 3 -> 2 while surging warns twice",
        builder: { update(workload(replicas: 3, mode: most), workload(replicas: 2, mode: most)) },
        allowed: true, rule: .decrease, warning: ["still has 2 replicas", "still surges"]),
    .init(
        name: "at-most-one StatefulSet with 1 replica",
        builder: {
            create(
                workload(kind: "StatefulSet", replicas: 1, mode: most), resource: "statefulsets", kind: "StatefulSet")
        },
        allowed: true, rule: .compliant),
    .init(
        name: "StatefulSet scaled to 2",
        builder: {
            update(
                workload(kind: "StatefulSet", replicas: 1, mode: most),
                workload(kind: "StatefulSet", replicas: 2, mode: most),
                resource: "statefulsets", kind: "StatefulSet")
        },
        allowed: false, rule: .replicas, message: ["StatefulSet default/web"]),
    .init(
        name: "a user's ReplicaSet owned by a Deployment at 3 is denied, pointing at the Deployment",
        builder: {
            create(
                workload(kind: "ReplicaSet", replicas: 3, mode: most, ownerKind: "Deployment"), resource: "replicasets",
                kind: "ReplicaSet")
        },
        allowed: false, rule: .replicas,
        message: [
            "ReplicaSet default/web belongs to Deployment default/owner", "Scale Deployment default/owner instead",
            "the Deployment controller copies it back",
        ]),
    .init(
        name: "a user's scale-up of an owned ReplicaSet is denied",
        builder: {
            update(
                workload(kind: "ReplicaSet", replicas: 1, mode: least, ownerKind: "Deployment"),
                workload(kind: "ReplicaSet", replicas: 3, mode: least, ownerKind: "Deployment"),
                resource: "replicasets", kind: "ReplicaSet")
        },
        allowed: false, rule: .replicas, message: ["Deployment default/owner"]),
    .init(
        name: "the Deployment controller's writes to its ReplicaSets are never blocked",
        builder: {
            var b = update(
                workload(kind: "ReplicaSet", replicas: 1, mode: most, ownerKind: "Deployment"),
                workload(kind: "ReplicaSet", replicas: 3, mode: most, ownerKind: "Deployment"), resource: "replicasets",
                kind: "ReplicaSet")
            b.username = "system:serviceaccount:kube-system:deployment-controller"
            return b
        },
        allowed: true, rule: .ownedByDeployment),
    .init(
        name: "a scale-down of an owned ReplicaSet is allowed",
        builder: {
            update(
                workload(kind: "ReplicaSet", replicas: 3, mode: most, ownerKind: "Deployment"),
                workload(kind: "ReplicaSet", replicas: 2, mode: most, ownerKind: "Deployment"), resource: "replicasets",
                kind: "ReplicaSet")
        },
        allowed: true, rule: .ownedByDeployment),
    .init(
        name: "an owned ReplicaSet without the annotation is not judged",
        builder: {
            update(
                workload(kind: "ReplicaSet", replicas: 1, ownerKind: "Deployment"),
                workload(kind: "ReplicaSet", replicas: 3, ownerKind: "Deployment"), resource: "replicasets",
                kind: "ReplicaSet")
        },
        allowed: true, rule: .ownedByDeployment),
    .init(
        name: "bare ReplicaSet at 2 is denied",
        builder: {
            create(workload(kind: "ReplicaSet", replicas: 2, mode: least), resource: "replicasets", kind: "ReplicaSet")
        },
        allowed: false, rule: .replicas),
    .init(
        name: "ReplicationController at 2 is denied",
        builder: {
            create(
                workload(kind: "ReplicationController", apiVersion: "v1", replicas: 2, mode: least),
                resource: "replicationcontrollers", kind: "ReplicationController", group: "")
        },
        allowed: false, rule: .replicas, message: ["ReplicationController default/web"]),
    .init(
        name: "workload without the annotation is not ours",
        builder: { update(workload(replicas: 1), workload(replicas: 5)) },
        allowed: true, rule: .notOurs),
    .init(
        name: "DELETE is not judged",
        builder: {
            var b = ReviewBuilder(); b.operation = "DELETE"; b.oldObject = workload(replicas: 5, mode: least); return b
        }, allowed: true, rule: .notOurs),
    .init(
        name: "status subresource is not judged",
        builder: {
            var b = update(workload(replicas: 3, mode: least), workload(replicas: 3, mode: least));
            b.subResource = "status"; return b
        }, allowed: true, rule: .notOurs),
    .init(
        name: "an annotated DaemonSet is allowed with a warning that the annotation has no effect",
        builder: {
            var b = create(
                [
                    "apiVersion": "apps/v1", "kind": "DaemonSet",
                    "metadata": [
                        "name": "web", "namespace": "default", "annotations": [SingletonAnnotation.mode: most],
                    ],
                    "spec": ["selector": ["matchLabels": ["app": "web"]]],
                ], resource: "daemonsets", kind: "DaemonSet", group: "apps")
            b.version = "v1"; return b
        }, allowed: true, rule: .notOurs,
        warning: ["has no effect on DaemonSet default/web", "use a Deployment or StatefulSet"]),
    .init(
        name: "a DaemonSet without the annotation gets no warning",
        builder: {
            create(
                ["apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": ["name": "web"]], resource: "daemonsets",
                kind: "DaemonSet")
        }, allowed: true, rule: .notOurs),
    .init(
        name: "other kinds are not judged",
        builder: {
            var b = create(
                [
                    "apiVersion": "v1", "kind": "ConfigMap",
                    "metadata": ["name": "c", "annotations": [SingletonAnnotation.mode: "bogus"]],
                ],
                resource: "configmaps", kind: "ConfigMap", group: "")
            b.name = "c"; return b
        }, allowed: true, rule: .notOurs),
]

@Suite struct WorkloadRuleTests {
    @Test(arguments: workloadCases)
    func rule(_ c: WorkloadCase) throws {
        let request = try c.builder().request()
        let policy = SingletonPolicy()
        #expect(policy.parentReference(for: request) == nil, "workload requests never need a parent")
        let d = policy.decide(request)
        #expect(d.allowed == c.allowed)
        #expect(d.rule == c.rule)
        for fragment in c.message {
            #expect(d.message?.contains(fragment) == true, "message \(d.message ?? "nil") lacks \(fragment)")
        }
        for fragment in c.warning {
            #expect(d.warnings.contains { $0.contains(fragment) }, "warnings \(d.warnings) lack \(fragment)")
        }
        if !c.allowed { #expect(d.code == 403) }
    }

    @Test func denialResponseEchoesUIDAndCarriesForbidden() throws {
        var b = ReviewBuilder()
        b.uid = "abc-123"
        b.operation = "CREATE"
        b.object = workload(replicas: 2, mode: least)
        let outcome = SingletonPolicy().review(b.json()) { _ in
            Issue.record("no lookup expected"); return .notFound
        }
        #expect(outcome.response.uid == "abc-123")
        #expect(outcome.response.allowed == false)
        #expect(outcome.response.status?.code == 403)
        #expect(outcome.response.status?.reason == "Forbidden")
        #expect(outcome.response.auditAnnotations?["rule"] == "replicas")
        #expect(outcome.response.auditAnnotations?["mode"] == "at-least-one")
    }
}
