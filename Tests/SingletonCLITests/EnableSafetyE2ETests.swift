import Foundation
import SingletonCore
import Testing

/// `enable --pdb` and `--service` through kubectl's plugin dispatch against the sandbox.
@Suite(
    .enabled(if: PluginE2E.available, "needs /usr/bin/kubectl and the built products; skipped otherwise"), .serialized)
struct EnableSafetyE2ETests {
    static func budget(_ name: String, _ spec: String) -> String {
        """
        apiVersion: policy/v1
        kind: PodDisruptionBudget
        metadata: {name: \(name), namespace: default}
        spec: {selector: {matchLabels: {app: web}}, \(spec)}
        """
    }

    @Test func aBudgetThatAlreadySelectsThePodsIsReusedOrRefusedNeverDoubled() async throws {
        let cluster = try await PluginE2E.Cluster.start()
        defer { cluster.stop() }
        #expect(try await cluster.kubectl(["apply", "-f", "-"], stdin: PluginE2E.web).code == 0)
        #expect(
            try await cluster.kubectl(["apply", "-f", "-"], stdin: Self.budget("web-budget", "maxUnavailable: 0")).code
                == 0)

        let reuse = try await cluster.singleton("enable", "deploy/web", "--pdb")
        #expect(reuse.code == 0, "\(reuse.err)")
        #expect(
            reuse.out.contains(
                "poddisruptionbudget.policy/web-budget reused: it already selects the pods with maxUnavailable 0"),
            "\(reuse.out)")
        #expect(!reuse.err.contains("kubectl drain waits"))
        #expect(try await cluster.kubectl(["get", "pdb", "web-singleton"]).code != 0, "no second budget")
        #expect(
            try await cluster.json("pdb", "web-budget")[path: "metadata", "labels", "app.kubernetes.io/managed-by"]
                == nil, "not taken over")

        // A budget that lets the only pod go: refused with the reason, still no second budget.
        #expect(
            try await cluster.kubectl([
                "patch", "pdb", "web-budget", "--type=merge", "-p", #"{"spec":{"maxUnavailable":1}}"#,
            ]).code == 0)
        let refused = try await cluster.singleton("enable", "deploy/web", "--pdb")
        #expect(refused.code == 1)
        #expect(
            refused.err.contains("PodDisruptionBudget web-budget already selects its pods with maxUnavailable 1"),
            "\(refused.err)")
        #expect(try await cluster.kubectl(["get", "pdb", "web-singleton"]).code != 0)
    }
}

extension EnableSafetyE2ETests {
    @Test func aStatefulSetWithoutServiceNameGetsNoUselessServiceAndIsNotNaggedForOne() async throws {
        let cluster = try await PluginE2E.Cluster.start()
        defer { cluster.stop() }
        let sts = """
            apiVersion: apps/v1
            kind: StatefulSet
            metadata: {name: db, namespace: default}
            spec:
              replicas: 1
              selector: {matchLabels: {app: db}}
              template:
                metadata: {labels: {app: db}}
                spec: {containers: [{name: db, image: postgres:16, ports: [{containerPort: 5432}]}]}
            """
        #expect(try await cluster.kubectl(["apply", "-f", "-"], stdin: sts).code == 0)
        let enable = try await cluster.singleton("enable", "sts/db", "--service")
        #expect(enable.code == 1)
        #expect(enable.out.contains("statefulset.apps/db configured"), "the annotation is still set: \(enable.out)")
        #expect(
            enable.err.contains(
                "StatefulSet db has no spec.serviceName, and the field cannot be changed after creation"),
            "\(enable.err)")
        #expect(try await cluster.kubectl(["get", "service", "db"]).code != 0, "no Service that could never govern it")

        let status = try await cluster.singleton("status", "sts/db")
        #expect(!status.out.contains("--service"), "\(status.out)")
        let list = try await cluster.singleton("list", "-o", "wide")
        #expect(!list.out.contains("no-svc") && !list.out.contains("--service"), "\(list.out)")
    }
}

extension EnableSafetyE2ETests {
    @Test func enableSaysWhatKeepsTheAnnotationFromWorkingAndCaveatsOnlyOnce() async throws {
        let cluster = try await PluginE2E.Cluster.start()
        defer { cluster.stop() }
        #expect(try await cluster.kubectl(["apply", "-f", "-"], stdin: PluginE2E.web).code == 0)
        #expect(try await cluster.kubectl(["autoscale", "deploy/web", "--min=1", "--max=4"]).code == 0)
        let enable = try await cluster.singleton("enable", "deploy/web")
        #expect(enable.code == 0, "\(enable.err)")
        #expect(
            enable.err.contains("Warning: HorizontalPodAutoscaler web targets it with maxReplicas 4"), "\(enable.err)")
        #expect(
            enable.err.contains("Warning: the kube-singleton webhook is not installed: nothing enforces the annotation")
        )
        #expect(enable.err.contains("at-most-one on a Deployment"), "the caveat comes with the change")
        let rerun = try await cluster.singleton("enable", "deploy/web")
        #expect(rerun.out.contains("deployment.apps/web unchanged"))
        #expect(!rerun.err.contains("at-most-one on a Deployment"), "not on an unchanged rerun: \(rerun.err)")
    }
}
