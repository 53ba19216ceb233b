import Foundation
@testable import SingletonCore

/// Every AdmissionReview body we have, for comparing the byte reader and writer against
/// the Codable reference: the repository's examples, rule-table style reviews built with
/// `ReviewBuilder`, and (when `../shared` is present) the public admission fixtures and the
/// upstream kubernetes/api objects wrapped as CREATE and UPDATE reviews.
enum DifferentialCorpus {
    static let repoRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// `examples/reviews/*.json`, always present.
    static func examples() throws -> [(String, Data)] {
        let dir = repoRoot.appendingPathComponent("examples/reviews")
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".json") }
            .sorted()
        return try files.map { ("examples/reviews/\($0)", try Data(contentsOf: dir.appendingPathComponent($0))) }
    }

    /// Reviews built like the rule tables build them: each kind, operation and shape.
    static func built() -> [(String, Data)] {
        var out: [(String, Data)] = []
        func add(_ name: String, _ b: ReviewBuilder) { out.append((name, b.json())) }
        for mode in ["at-most-one", "at-least-one", " at-most-one\n", "bogus", nil] as [String?] {
            for op in ["CREATE", "UPDATE", "DELETE", "CONNECT", "PATCH"] {
                add(
                    "deployment \(op) \(mode ?? "-")",
                    ReviewBuilder(
                        operation: op, object: workload(replicas: 2, mode: mode),
                        oldObject: workload(replicas: 1, mode: mode)))
            }
            add(
                "surge \(mode ?? "-")",
                ReviewBuilder(
                    object: workload(
                        mode: mode,
                        strategy: ["type": "RollingUpdate", "rollingUpdate": ["maxSurge": "25%", "maxUnavailable": 0]]))
            )
            add("recreate \(mode ?? "-")", ReviewBuilder(object: workload(mode: mode, strategy: ["type": "Recreate"])))
            add(
                "rs owned \(mode ?? "-")",
                ReviewBuilder(
                    resource: "replicasets", kind: "ReplicaSet",
                    object: workload(kind: "ReplicaSet", replicas: 3, mode: mode, ownerKind: "Deployment")))
            for user in ["alice", "system:serviceaccount:kube-system:deployment-controller"] {
                for (old, new) in [(1, 3), (3, 2)] {
                    add(
                        "rs owned \(old)->\(new) by \(user) \(mode ?? "-")",
                        ReviewBuilder(
                            resource: "replicasets", kind: "ReplicaSet",
                            object: workload(kind: "ReplicaSet", replicas: new, mode: mode, ownerKind: "Deployment"),
                            oldObject: workload(kind: "ReplicaSet", replicas: old, mode: mode, ownerKind: "Deployment"),
                            username: user))
                }
            }
            add(
                "sts \(mode ?? "-")",
                ReviewBuilder(
                    resource: "statefulsets", kind: "StatefulSet", operation: "CREATE",
                    object: workload(kind: "StatefulSet", replicas: nil, mode: mode)))
        }
        add(
            "rc",
            ReviewBuilder(
                group: "", resource: "replicationcontrollers", kind: "ReplicationController",
                object: workload(kind: "ReplicationController", apiVersion: "v1", replicas: 2, mode: "at-most-one")))
        for replicas in [nil, 0, 1, 5] as [Int?] {
            add(
                "scale \(replicas.map(String.init) ?? "-")",
                ReviewBuilder(
                    kind: "Scale", subResource: "scale", object: scaleObject(replicas: replicas),
                    oldObject: scaleObject(replicas: 1)))
        }
        add("status", ReviewBuilder(subResource: "status", object: workload(replicas: 4, mode: "at-most-one")))
        for max in [1, 3] {
            add(
                "hpa \(max)",
                ReviewBuilder(
                    group: "autoscaling", version: "v2", resource: "horizontalpodautoscalers",
                    kind: "HorizontalPodAutoscaler", operation: "CREATE", object: hpaObject(maxReplicas: max)))
        }
        for (name, b) in newKinds() { add(name, b) }
        add(
            "pod",
            ReviewBuilder(
                group: "", resource: "pods", kind: "Pod", operation: "CREATE", object: ["spec": ["containers": []]]))
        return out
    }

    /// CronJobs, Jobs, ScaledObjects and Rollouts in each shape their rules judge.
    static func newKinds() -> [(String, ReviewBuilder)] {
        var out: [(String, ReviewBuilder)] = []
        for mode in ["at-most-one", "at-least-one", "bogus", nil] as [String?] {
            for policy in ["Allow", "Forbid", "Replace", nil] as [String?] {
                for op in ["CREATE", "UPDATE"] {
                    out.append(
                        (
                            "cronjob \(op) \(mode ?? "-") \(policy ?? "-")",
                            ReviewBuilder(
                                group: "batch", resource: "cronjobs", kind: "CronJob", name: "report", operation: op,
                                object: cronJobObject(mode: mode, concurrencyPolicy: policy, parallelism: 2),
                                oldObject: op == "UPDATE" ? cronJobObject(mode: mode, parallelism: 3) : nil)
                        ))
                }
            }
            for parallelism in [nil, 1, 4] as [Int?] {
                out.append(
                    (
                        "job \(mode ?? "-") \(parallelism.map(String.init) ?? "-")",
                        ReviewBuilder(
                            group: "batch", resource: "jobs", kind: "Job", name: "migrate", operation: "CREATE",
                            object: jobObject(mode: mode, parallelism: parallelism))
                    ))
            }
            for strategy in [
                ["canary": [:]], ["canary": ["maxSurge": 0]], ["blueGreen": ["activeService": "a"]],
                ["canary": ["maxSurge": 0, "trafficRouting": ["nginx": ["stableIngress": "web"]]]],
            ] {
                out.append(
                    (
                        "rollout \(mode ?? "-") \(strategy)",
                        ReviewBuilder(
                            group: "argoproj.io", version: "v1alpha1", resource: "rollouts", kind: "Rollout",
                            object: rolloutObject(replicas: 1, mode: mode, strategy: strategy),
                            oldObject: rolloutObject(replicas: 1, mode: mode, strategy: strategy))
                    ))
            }
        }
        out.append(
            (
                "rollout scale",
                ReviewBuilder(
                    group: "argoproj.io", version: "v1alpha1", resource: "rollouts", kind: "Scale",
                    subResource: "scale", object: scaleObject(replicas: 3), oldObject: scaleObject(replicas: 1))
            ))
        for max in [nil, 1, 5] as [Int?] {
            for (kind, apiVersion) in [(nil, nil), ("StatefulSet", "apps/v1"), ("Rollout", "argoproj.io/v1alpha1")]
                as [(String?, String?)]
            {
                out.append(
                    (
                        "scaledobject \(kind ?? "-") \(max.map(String.init) ?? "-")",
                        ReviewBuilder(
                            group: "keda.sh", version: "v1alpha1", resource: "scaledobjects", kind: "ScaledObject",
                            name: "web-scaler", operation: "UPDATE",
                            object: scaledObjectObject(
                                targetKind: kind, targetAPIVersion: apiVersion, maxReplicaCount: max),
                            oldObject: scaledObjectObject(targetKind: kind, targetAPIVersion: apiVersion))
                    ))
            }
        }
        return out
    }

    /// DaemonSets (the annotation has no effect on them): rare, so read by the Codable path only.
    static func unsupportedKinds() -> [(String, Data)] {
        [("apps", "daemonsets", "DaemonSet")].flatMap {
            group, resource, kind in
            [true, false].map { annotated in
                let meta: [String: Any] =
                    annotated
                    ? ["name": "web", "annotations": [SingletonAnnotation.mode: "at-most-one"]] : ["name": "web"]
                return (
                    "\(kind) \(annotated ? "annotated" : "plain")",
                    ReviewBuilder(
                        group: group, resource: resource, kind: kind, operation: "CREATE",
                        object: ["metadata": meta, "spec": ["x": 1]]
                    ).json()
                )
            }
        }
    }

    /// `../shared/fixtures/public/admission`: reviews as they are, bare requests wrapped.
    static func publicAdmission() throws -> [(String, Data)] {
        let base = Fixtures.root.appendingPathComponent("public/admission")
        var out: [(String, Data)] = []
        for sub in ["", "wrapped/"] {
            let dir = base.appendingPathComponent(sub)
            for file in try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted()
            where file.hasSuffix(".json") {
                let data = try Data(contentsOf: dir.appendingPathComponent(file))
                if file.hasSuffix(".request.json") {
                    let request = try JSONSerialization.jsonObject(with: data) as? [String: Any] ?? [:]
                    out.append(("\(sub)\(file) (wrapped)", try Fixtures.wrap(request)))
                } else {
                    out.append(("\(sub)\(file)", data))
                }
            }
        }
        return out
    }

    /// The upstream AdmissionReview fixtures, and the upstream workload, Scale and HPA
    /// objects (every field set; v1.33.0 with random unicode and numbers) wrapped as reviews.
    static func upstream() throws -> [(String, Data)] {
        let objects: [(String, String, String, String?)] = [
            ("apps.v1.Deployment.json", "apps", "deployments", nil),
            ("apps.v1.ReplicaSet.json", "apps", "replicasets", nil),
            ("apps.v1.StatefulSet.json", "apps", "statefulsets", nil),
            ("core.v1.ReplicationController.json", "", "replicationcontrollers", nil),
            ("autoscaling.v1.Scale.json", "apps", "deployments", "scale"),
            ("autoscaling.v1.HorizontalPodAutoscaler.json", "autoscaling", "horizontalpodautoscalers", nil),
            ("autoscaling.v2.HorizontalPodAutoscaler.json", "autoscaling", "horizontalpodautoscalers", nil),
        ]
        var out: [(String, Data)] = []
        for version in ["HEAD", "v1.33.0"] {
            out.append(
                (
                    "k8s-api/\(version)/AdmissionReview",
                    try Fixtures.data("k8s-api/\(version)/admission.k8s.io.v1.AdmissionReview.json")
                ))
            for (file, group, resource, sub) in objects {
                let object = try Fixtures.json("k8s-api/\(version)/\(file)")
                for op in ["CREATE", "UPDATE"] {
                    var request: [String: Any] = [
                        "uid": "u-\(file)", "operation": op, "name": "web", "namespace": "default",
                        "resource": ["group": group, "version": "v1", "resource": resource], "object": object,
                    ]
                    if let sub { request["subResource"] = sub }
                    if op == "UPDATE" { request["oldObject"] = object }
                    out.append(("k8s-api/\(version)/\(file) \(op)", try Fixtures.wrap(request)))
                }
            }
        }
        return out
    }
}
