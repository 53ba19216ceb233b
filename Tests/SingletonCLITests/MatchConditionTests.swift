import Foundation
import KubeAPIMachinery
import KubeSandbox
@testable import SingletonCLI
import SingletonCore
import Testing

/// The matchConditions of the shipped webhook configuration (deploy/base/webhook.yaml, as
/// `install` embeds it), run by the sandbox's matcher on the requests real kubectl and the
/// controllers send: only requests that could add a replica reach the webhook, so an outage
/// of the webhook never blocks a scale-down, a restart or the opt-out. No case may end in a
/// CEL error, which would hand the request to the failurePolicy.
@Suite struct MatchConditionTests {
    static let hooks: [String: JSONValue] = {
        let plan = try! InstallPlan.make(InstallOptions(), files: DeployManifests.files)
        let config = plan.objects.first { $0["kind"] == "ValidatingWebhookConfiguration" }!
        var byName: [String: JSONValue] = [:]
        for hook in config["webhooks"]?.arrayValue ?? [] { byName[hook["name"]?.stringValue ?? ""] = hook }
        return byName
    }()

    static let user = UserInfo(username: "kubernetes-admin", groups: ["system:masters", "system:authenticated"])
    static let deploymentController = UserInfo(
        username: "system:serviceaccount:kube-system:deployment-controller",
        groups: ["system:serviceaccounts", "system:authenticated"])

    static func d(
        _ replicas: Int? = 1, _ annotations: [String: String]? = ["kube-singleton.dev/mode": "at-most-one"],
        strategy: JSONValue = ["type": "Recreate"], image: String = "nginx:1.27",
        templateAnnotations: [String: String] = [:]
    ) -> JSONValue {
        var metadata: JSONValue = ["name": "web", "namespace": "shop"]
        if let annotations { metadata["annotations"] = .object(annotations.mapValues { .string($0) }) }
        var spec: JSONValue = [
            "strategy": strategy, "selector": ["matchLabels": ["app": "web"]],
            "template": [
                "metadata": [
                    "labels": ["app": "web"], "annotations": .object(templateAnnotations.mapValues { .string($0) }),
                ],
                "spec": ["containers": [["name": "web", "image": .string(image)]]],
            ],
        ]
        if let replicas { spec["replicas"] = .int(Int64(replicas)) }
        return ["apiVersion": "apps/v1", "kind": "Deployment", "metadata": metadata, "spec": spec]
    }

    /// Runs the matcher; fails the test on a CEL error.
    static func reaches(
        _ hook: String, _ resource: String, group: String, subresource: String = "", operation: String = "UPDATE",
        object: JSONValue?, old: JSONValue?, user: UserInfo = user,
        sourceLocation: SourceLocation = #_sourceLocation
    ) -> Bool {
        let type = ResourceCatalog.named(resource, group: group)!
        let kind: (group: String, version: String, kind: String)? =
            subresource == "scale" ? ("autoscaling", "v1", "Scale") : nil
        let attrs = AdmissionAttributes(
            operation: operation, type: type, subresource: subresource, kind: kind, name: "web", namespace: "shop",
            object: object, oldObject: old, dryRun: false, user: user)
        switch WebhookMatching.match(hooks[hook]!, attrs, namespaceLabels: [:]) {
        case .matches: return true
        case .skip: return false
        case .error(let message):
            Issue.record("\(hook): \(message)", sourceLocation: sourceLocation)
            return false
        }
    }

    static func workload(
        _ object: JSONValue?, old: JSONValue?, operation: String = "UPDATE", resource: String = "deployments",
        user: UserInfo = user
    ) -> Bool {
        reaches(
            "workloads.kube-singleton.dev", resource, group: "apps", operation: operation, object: object, old: old,
            user: user)
    }

    @Test func everyExpressionCompiles() throws {
        #expect(
            Set(Self.hooks.keys) == [
                "workloads.kube-singleton.dev", "hpa.kube-singleton.dev", "scale.kube-singleton.dev",
                "scaledobjects.kube-singleton.dev", "batch.kube-singleton.dev", "unsupported-kinds.kube-singleton.dev",
            ])
        for (name, hook) in Self.hooks {
            let conditions = hook["matchConditions"]?.arrayValue ?? []
            #expect(!conditions.isEmpty, "\(name) has no matchConditions")
            for c in conditions { _ = try CELExpression(c["expression"]?.stringValue ?? "") }
        }
        #expect(Self.hooks["workloads.kube-singleton.dev"]?["failurePolicy"] == "Fail")
        #expect(Self.hooks["scale.kube-singleton.dev"]?["failurePolicy"] == "Ignore")
        #expect(Self.hooks["hpa.kube-singleton.dev"]?["failurePolicy"] == "Ignore")
        #expect(Self.hooks["unsupported-kinds.kube-singleton.dev"]?["failurePolicy"] == "Ignore")
        #expect(Self.hooks["scaledobjects.kube-singleton.dev"]?["failurePolicy"] == "Ignore")
        #expect(Self.hooks["batch.kube-singleton.dev"]?["failurePolicy"] == "Fail")
    }

    @Test func workloadChangesThatCouldAddAReplicaReachTheWebhook() {
        #expect(Self.workload(Self.d(), old: nil, operation: "CREATE"))
        #expect(
            Self.workload(Self.d(3, ["kube-singleton.dev/mode": "at-least-one"]), old: Self.d(3, nil)),
            "annotation added")
        #expect(
            Self.workload(Self.d(1, ["kube-singleton.dev/mode": "at-least-one"]), old: Self.d(1, ["other": "x"])),
            "annotation added next to others")
        #expect(Self.workload(Self.d(1, ["kube-singleton.dev/mode": "at-least-one"]), old: Self.d()), "mode changed")
        #expect(
            Self.workload(
                Self.d(1, ["kube-singleton.dev/mode": "at-most-one", "kube-singleton.dev/lease": "l"]), old: Self.d()),
            "lease added")
        #expect(
            Self.workload(
                Self.d(1, ["kube-singleton.dev/mode": "at-most-one", "kube-singleton.dev/lease": "m"]),
                old: Self.d(1, ["kube-singleton.dev/mode": "at-most-one", "kube-singleton.dev/lease": "l"])),
            "lease changed")
        #expect(Self.workload(Self.d(2), old: Self.d(1)), "replicas raised")
        #expect(Self.workload(Self.d(2), old: Self.d(nil)), "replicas raised from unset")
        #expect(
            Self.workload(
                Self.d(strategy: [
                    "type": "RollingUpdate", "rollingUpdate": ["maxSurge": "25%", "maxUnavailable": "25%"],
                ]), old: Self.d()),
            "strategy changed")
        #expect(Self.workload(Self.d(3), old: Self.d(1), resource: "replicasets"), "a user's scale-up of a ReplicaSet")
    }

    @Test func movesTowardSafetyAndUnrelatedEditsNeverReachIt() {
        #expect(!Self.workload(Self.d(nil, nil), old: nil, operation: "CREATE"), "not a singleton")
        #expect(!Self.workload(Self.d(3, nil), old: Self.d(3, nil)), "not a singleton")
        #expect(!Self.workload(Self.d(0), old: Self.d(1)), "scale-down")
        #expect(!Self.workload(Self.d(1), old: Self.d(3)), "scale-down")
        #expect(!Self.workload(Self.d(1), old: Self.d(0)), "0 to 1 cannot add a second replica")
        #expect(!Self.workload(Self.d(3, nil), old: Self.d(1)), "removing the annotation (the opt-out)")
        #expect(!Self.workload(Self.d(1, ["a": "b"]), old: Self.d(1)), "removing the annotation among others")
        #expect(!Self.workload(Self.d(image: "nginx:1.28"), old: Self.d()), "image change")
        #expect(
            !Self.workload(
                Self.d(templateAnnotations: ["kubectl.kubernetes.io/restartedAt": "2026-12-06T16:00:00Z"]),
                old: Self.d()), "rollout restart")
        #expect(!Self.workload(Self.d(3), old: Self.d(3)), "replicas unchanged")
        #expect(
            !Self.workload(
                Self.d(), old: Self.d(1, ["kube-singleton.dev/mode": "at-most-one", "kube-singleton.dev/lease": "l"])),
            "lease removed")
        // The Deployment controller creates and scales its ReplicaSets with the Deployment's annotations.
        #expect(
            !Self.workload(
                Self.d(1), old: nil, operation: "CREATE", resource: "replicasets", user: Self.deploymentController))
        #expect(!Self.workload(Self.d(3), old: Self.d(1), resource: "replicasets", user: Self.deploymentController))
        #expect(
            !Self.workload(
                Self.d(3), old: Self.d(1), resource: "replicasets",
                user: UserInfo(username: "system:kube-controller-manager", groups: ["system:authenticated"])))
    }

    static func hpa(max: Int, min: Int = 1, target: String = "web") -> JSONValue {
        [
            "apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler",
            "metadata": ["name": "web", "namespace": "shop"],
            "spec": [
                "maxReplicas": .int(Int64(max)), "minReplicas": .int(Int64(min)),
                "scaleTargetRef": ["apiVersion": "apps/v1", "kind": "Deployment", "name": .string(target)],
            ],
        ]
    }

    @Test func hpasReachItOnlyWhenTheyCanScaleOutFurther() {
        func reaches(_ o: JSONValue, _ old: JSONValue?, _ op: String = "UPDATE") -> Bool {
            Self.reaches(
                "hpa.kube-singleton.dev", "horizontalpodautoscalers", group: "autoscaling", operation: op, object: o,
                old: old)
        }
        #expect(reaches(Self.hpa(max: 5), nil, "CREATE"))
        #expect(!reaches(Self.hpa(max: 1), nil, "CREATE"))
        #expect(reaches(Self.hpa(max: 5), Self.hpa(max: 3)))
        #expect(reaches(Self.hpa(max: 5, target: "other"), Self.hpa(max: 5)))
        #expect(!reaches(Self.hpa(max: 3), Self.hpa(max: 5)), "lowering maxReplicas")
        #expect(!reaches(Self.hpa(max: 5, min: 2), Self.hpa(max: 5)), "minReplicas only")
    }

    static func scale(_ replicas: Int?) -> JSONValue {
        var spec: JSONValue = .object([:])
        if let replicas { spec["replicas"] = .int(Int64(replicas)) }
        return [
            "apiVersion": "autoscaling/v1", "kind": "Scale", "metadata": ["name": "web", "namespace": "shop"],
            "spec": spec,
        ]
    }

    @Test func scaleReachesItOnlyOnAScaleUpAboveOne() {
        func reaches(_ new: Int?, _ old: Int?) -> Bool {
            Self.reaches(
                "scale.kube-singleton.dev", "deployments", group: "apps", subresource: "scale", object: Self.scale(new),
                old: Self.scale(old))
        }
        #expect(reaches(3, 1))
        #expect(reaches(2, nil), "from 0 (a Scale without spec.replicas)")
        #expect(!reaches(nil, 3), "to 0")
        #expect(!reaches(1, 3))
        #expect(!reaches(2, 3), "a scale-down that stays above 1")
        #expect(!reaches(1, nil))
        #expect(!reaches(3, 3))
    }

    @Test func cronJobAndJobChangesThatCouldRunTwoPodsReachTheWebhook() {
        let mode = ["kube-singleton.dev/mode": "at-most-one"]
        func cron(_ policy: String?, parallelism: Int? = nil, _ annotations: [String: String]? = mode) -> JSONValue {
            var meta: JSONValue = ["name": "report", "namespace": "shop"]
            if let annotations { meta["annotations"] = .object(annotations.mapValues { .string($0) }) }
            var job: JSONValue = ["template": ["spec": ["containers": [["name": "r", "image": "busybox"]]]]]
            if let parallelism { job["parallelism"] = .int(Int64(parallelism)) }
            var spec: JSONValue = ["schedule": "0 * * * *", "jobTemplate": ["spec": job]]
            if let policy { spec["concurrencyPolicy"] = .string(policy) }
            return ["apiVersion": "batch/v1", "kind": "CronJob", "metadata": meta, "spec": spec]
        }
        func job(_ parallelism: Int, _ annotations: [String: String]? = mode) -> JSONValue {
            var meta: JSONValue = ["name": "migrate", "namespace": "shop"]
            if let annotations { meta["annotations"] = .object(annotations.mapValues { .string($0) }) }
            return [
                "apiVersion": "batch/v1", "kind": "Job", "metadata": meta,
                "spec": ["parallelism": .int(Int64(parallelism)), "template": ["spec": ["containers": []]]],
            ]
        }
        func reaches(_ resource: String, _ new: JSONValue, _ old: JSONValue?) -> Bool {
            Self.reaches(
                "batch.kube-singleton.dev", resource, group: "batch", operation: old == nil ? "CREATE" : "UPDATE",
                object: new, old: old)
        }
        #expect(reaches("cronjobs", cron(nil), nil))
        #expect(reaches("cronjobs", cron("Allow"), cron("Forbid")), "policy changed")
        #expect(reaches("cronjobs", cron("Forbid", parallelism: 2), cron("Forbid")), "parallelism raised")
        #expect(!reaches("cronjobs", cron("Forbid", parallelism: 2), cron("Forbid", parallelism: 3)))
        #expect(!reaches("cronjobs", cron("Allow", nil), cron("Forbid")), "the opt-out")
        #expect(!reaches("cronjobs", cron(nil, nil), nil), "not a singleton")
        #expect(reaches("jobs", job(1), nil))
        #expect(reaches("jobs", job(3), job(1)))
        #expect(!reaches("jobs", job(1), job(3)))
        #expect(!reaches("jobs", job(4, nil), nil))
    }

    @Test func annotatedDaemonSetsReachItOnceForTheWarning() {
        func reaches(
            _ resource: String, _ group: String, _ new: [String: String]?, _ old: [String: String]?,
            _ op: String = "UPDATE"
        ) -> Bool {
            func object(_ a: [String: String]?) -> JSONValue {
                var meta: JSONValue = ["name": "web", "namespace": "shop"]
                if let a { meta["annotations"] = .object(a.mapValues { .string($0) }) }
                return ["metadata": meta, "spec": .object([:])]
            }
            return Self.reaches(
                "unsupported-kinds.kube-singleton.dev", resource, group: group, operation: op,
                object: object(new), old: op == "CREATE" ? nil : object(old))
        }
        let mode = ["kube-singleton.dev/mode": "at-most-one"]
        #expect(reaches("daemonsets", "apps", mode, nil, "CREATE"))
        #expect(reaches("daemonsets", "apps", mode, ["other": "x"]))
        #expect(!reaches("daemonsets", "apps", mode, mode), "unchanged: said once")
        #expect(!reaches("daemonsets", "apps", nil, nil, "CREATE"))
        #expect(!reaches("daemonsets", "apps", nil, mode), "removed")
    }
}
