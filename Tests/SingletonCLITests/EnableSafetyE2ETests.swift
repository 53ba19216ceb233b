import Foundation
import SingletonCore
import Testing

/// `enable --pdb` and `--service` through kubectl's plugin dispatch against the sandbox.
@Suite(.enabled(if: PluginE2E.available, "needs /usr/bin/kubectl and the built products; skipped otherwise"), .serialized)
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
        #expect(try await cluster.kubectl(["apply", "-f", "-"], stdin: Self.budget("web-budget", "maxUnavailable: 0")).code == 0)

        let reuse = try await cluster.singleton("enable", "deploy/web", "--pdb")
        #expect(reuse.code == 0, "\(reuse.err)")
        #expect(reuse.out.contains("poddisruptionbudget.policy/web-budget reused: it already selects the pods with maxUnavailable 0"), "\(reuse.out)")
        #expect(!reuse.err.contains("kubectl drain waits"))
        #expect(try await cluster.kubectl(["get", "pdb", "web-singleton"]).code != 0, "no second budget")
        #expect(try await cluster.json("pdb", "web-budget")[path: "metadata", "labels", "app.kubernetes.io/managed-by"] == nil, "not taken over")

        // A budget that lets the only pod go: refused with the reason, still no second budget.
        #expect(try await cluster.kubectl(["patch", "pdb", "web-budget", "--type=merge", "-p", #"{"spec":{"maxUnavailable":1}}"#]).code == 0)
        let refused = try await cluster.singleton("enable", "deploy/web", "--pdb")
        #expect(refused.code == 1)
        #expect(refused.err.contains("PodDisruptionBudget web-budget already selects its pods with maxUnavailable 1"), "\(refused.err)")
        #expect(try await cluster.kubectl(["get", "pdb", "web-singleton"]).code != 0)
    }
}
