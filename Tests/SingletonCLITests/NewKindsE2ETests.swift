import Foundation
import KubeAPIMachinery
import SingletonCore
import TestSupport
import Testing

/// Issue #24 end to end: real kubectl 1.32 against the sandbox with the webhook installed by
/// the plugin and run from the built binary. Each request is denied, then the same request
/// under `kube-singleton.dev/enforcement: warn` goes through with kubectl printing the warning.
@Suite(
    .enabled(if: PluginE2E.available, "needs /usr/bin/kubectl and the built products; skipped otherwise"), .serialized)
struct NewKindsE2ETests {
    /// What kubectl generates for `kubectl create cronjob NAME`, with the singleton annotations
    /// added (kubectl create cronjob has no flag for them): the default policy, Allow.
    static func generatedCronJob(
        _ cluster: PluginE2E.Cluster, _ name: String, annotations: [String: String]
    )
        async throws -> String
    {
        let generated = try await cluster.kubectl([
            "create", "cronjob", name, "--image=busybox:1.36", "--schedule=*/5 * * * *", "--dry-run=client",
            "-o", "json", "--", "date",
        ])
        #expect(generated.code == 0, "\(generated.err)")
        var object = try JSONValue.parse(Data(generated.out.utf8))
        #expect(object[path: "spec", "concurrencyPolicy"] == nil, "kubectl leaves the policy to its default")
        object = object.applyingMergePatch([
            "metadata": ["annotations": .object(annotations.mapValues(JSONValue.string))]
        ])
        return String(decoding: object.serialized(), as: UTF8.self)
    }

    static let rollout = """
        apiVersion: argoproj.io/v1alpha1
        kind: Rollout
        metadata:
          name: worker
          namespace: default
          annotations: {kube-singleton.dev/mode: at-most-one}
        spec:
          replicas: 1
          selector: {matchLabels: {app: worker}}
          strategy: {canary: {maxSurge: 0, maxUnavailable: 1}}
          template:
            metadata: {labels: {app: worker}}
            spec: {containers: [{name: worker, image: "ghcr.io/example/worker:1.0"}]}
        """

    /// A KEDA ScaledObject aimed at `target` (kind defaults to Deployment) with no
    /// maxReplicaCount: KEDA's default is 100.
    static func scaledObject(_ name: String, target: String) -> String {
        """
        apiVersion: keda.sh/v1alpha1
        kind: ScaledObject
        metadata: {name: \(name), namespace: default}
        spec:
          scaleTargetRef: {name: \(target)}
          triggers:
          - type: cron
            metadata: {timezone: UTC, start: "0 8 * * *", end: "0 18 * * *", desiredReplicas: "3"}
        """
    }

    @Test func anAnnotatedCronJobWithTheDefaultPolicyIsDeniedAndUnderWarnAllowedWithTheWarning() async throws {
        let (cluster, webhook) = try await OutageTests.clusterWithWebhook()
        defer { cluster.stop() }
        defer { webhook.terminate() }

        let denied = try await cluster.kubectl(
            ["create", "-f", "-"],
            stdin: try await Self.generatedCronJob(
                cluster, "report", annotations: [SingletonAnnotation.mode: "at-most-one"]))
        #expect(denied.code != 0, "kubectl create cronjob with the default policy Allow: \(denied.out)")
        #expect(denied.err.contains("denied the request"), "\(denied.err)")
        #expect(denied.err.contains("concurrencyPolicy"), "the message names the field to fix: \(denied.err)")
        #expect(try await cluster.kubectl(["get", "cronjob", "report"]).code != 0, "nothing was created")

        let warned = try await cluster.kubectl(
            ["create", "-f", "-"],
            stdin: try await Self.generatedCronJob(
                cluster, "report",
                annotations: [SingletonAnnotation.mode: "at-most-one", "kube-singleton.dev/enforcement": "warn"]))
        #expect(warned.code == 0, "enforcement warn lets it through: \(warned.err)")
        #expect(warned.out.contains("cronjob.batch/report created"), "\(warned.out)")
        let warning = warned.err.split(separator: "\n").first { $0.hasPrefix("Warning: ") }
        #expect(warning?.contains("concurrencyPolicy") == true, "kubectl prints the denial as a warning: \(warned.err)")
    }

    @Test func aScaledObjectWithoutMaxReplicaCountAimedAtASingletonIsDeniedAndUnderWarnAllowed() async throws {
        let (cluster, webhook) = try await OutageTests.clusterWithWebhook(sandboxArguments: ["--crd", "keda"])
        defer { cluster.stop() }
        defer { webhook.terminate() }
        #expect(try await cluster.kubectl(["apply", "-f", "-"], stdin: PluginE2E.web).code == 0)
        let enable = try await cluster.singleton("enable", "deploy/web", "--mode", "at-least-one")
        #expect(enable.code == 0, "\(enable.err)")

        let denied = try await cluster.kubectl(["create", "-f", "-"], stdin: Self.scaledObject("web", target: "web"))
        #expect(denied.code != 0, "maxReplicaCount unset means KEDA's 100: \(denied.out)")
        #expect(denied.err.contains("denied the request"), "\(denied.err)")
        #expect(denied.err.contains("maxReplicaCount"), "\(denied.err)")
        #expect(try await cluster.kubectl(["get", "scaledobjects.keda.sh", "web"]).code != 0)

        #expect(
            try await cluster.kubectl(["annotate", "deploy/web", "kube-singleton.dev/enforcement=warn"]).code == 0)
        let warned = try await cluster.kubectl(["create", "-f", "-"], stdin: Self.scaledObject("web", target: "web"))
        #expect(warned.code == 0, "the target's enforcement warn lets it through: \(warned.err)")
        let warning = warned.err.split(separator: "\n").first { $0.hasPrefix("Warning: ") }
        #expect(warning?.contains("maxReplicaCount") == true, "\(warned.err)")
    }

    @Test func scalingARolloutPastOneIsDeniedAndUnderWarnAllowedWithTheWarning() async throws {
        let (cluster, webhook) = try await OutageTests.clusterWithWebhook(sandboxArguments: ["--crd", "argo-rollouts"])
        defer { cluster.stop() }
        defer { webhook.terminate() }
        let created = try await cluster.kubectl(["apply", "-f", "-"], stdin: Self.rollout)
        #expect(created.code == 0, "a canary with maxSurge 0 and one replica is a valid singleton: \(created.err)")

        let denied = try await cluster.kubectl(["scale", "rollout/worker", "--replicas=3"])
        #expect(denied.code != 0, "\(denied.out)")
        #expect(denied.err.contains("denied the request"), "\(denied.err)")
        #expect(denied.err.contains("Rollout default/worker is a singleton"), "\(denied.err)")
        #expect(try await cluster.json("rollout", "worker")[path: "spec", "replicas"] == 1)

        #expect(
            try await cluster.kubectl(["annotate", "rollout/worker", "kube-singleton.dev/enforcement=warn"]).code == 0)
        let warned = try await cluster.kubectl(["scale", "rollout/worker", "--replicas=3"])
        #expect(warned.code == 0, "\(warned.err)")
        #expect(warned.out.contains("rollout.argoproj.io/worker scaled"), "\(warned.out)")
        let warning = warned.err.split(separator: "\n").first { $0.hasPrefix("Warning: ") }
        #expect(warning?.contains("Rollout default/worker is a singleton") == true, "\(warned.err)")
        #expect(try await cluster.json("rollout", "worker")[path: "spec", "replicas"] == 3)
    }
}

/// The plugin on the new kinds through kubectl's plugin dispatch, on a sandbox without the
/// Argo Rollouts and KEDA CRDs (the common cluster).
@Suite(
    .enabled(if: PluginE2E.available, "needs /usr/bin/kubectl and the built products; skipped otherwise"), .serialized)
struct NewKindsPluginE2ETests {
    @Test func enableSetsTheCronJobsPolicyAndListAndStatusShowIt() async throws {
        let cluster = try await PluginE2E.Cluster.start()
        defer { cluster.stop() }
        let created = try await cluster.kubectl([
            "create", "cronjob", "report", "--image=busybox:1.36", "--schedule=*/5 * * * *", "--", "date",
        ])
        #expect(created.code == 0, "\(created.err)")
        let before = try await cluster.json("cronjob", "report")

        let enable = try await cluster.singleton("enable", "cj/report", "--enforcement", "warn")
        #expect(enable.code == 0, "\(enable.err)")
        #expect(
            enable.out.contains(
                "cronjob.batch/report configured: annotated kube-singleton.dev/mode=at-most-one; annotated kube-singleton.dev/enforcement=warn; set concurrencyPolicy Forbid (Allow runs Jobs side by side)"
            ), "\(enable.out)")
        let after = try await cluster.json("cronjob", "report")
        #expect(after[path: "spec", "concurrencyPolicy"] == "Forbid")
        // Only what the patch names changed.
        #expect(after[path: "spec", "jobTemplate"] == before[path: "spec", "jobTemplate"])
        #expect(after[path: "spec", "schedule"] == before[path: "spec", "schedule"])
        let rerun = try await cluster.singleton("enable", "cronjob/report", "--enforcement", "warn")
        #expect(rerun.out.contains("cronjob.batch/report unchanged"), "\(rerun.out)")

        let list = try await cluster.singleton("list")
        #expect(list.code == 0)
        #expect(list.err.isEmpty, "no Argo or KEDA CRD is the common case, not a warning: \(list.err)")
        #expect(list.out.contains("SCHEDULE") && list.out.contains("LAST-SCHEDULE"), "\(list.out)")
        #expect(list.out.contains("cronjob.batch/report"), "\(list.out)")
        #expect(list.out.contains("warn"), "the enforcement column: \(list.out)")

        let status = try await cluster.singleton("status", "cj/report")
        #expect(status.code == 0, "\(status.err)")
        #expect(status.out.contains("Schedule:      */5 * * * *"), "\(status.out)")
        #expect(status.out.contains("Policy:        concurrencyPolicy Forbid"))
        #expect(status.out.contains("Enforcement:   warn"))

        let disable = try await cluster.singleton("disable", "cj/report")
        #expect(disable.code == 0, "\(disable.err)")
        let off = try await cluster.json("cronjob", "report")
        #expect(off[path: "metadata", "annotations", "kube-singleton.dev/mode"] == nil)
        #expect(off[path: "metadata", "annotations", "kube-singleton.dev/enforcement"] == nil)
    }
}
