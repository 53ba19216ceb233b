import Foundation
import KubeAPIMachinery
@testable import SingletonCLI
import SingletonCore
import Testing

/// `enable` on the paths that used to do harm: a second PodDisruptionBudget, a budget a
/// policy engine refuses, a StatefulSet that can have no governing Service.
@Suite struct EnableSafetyTests {
    static func seeded() -> FakeAPI {
        let api = FakeAPI(namespace: "shop")
        api.seed(Seeds.deployments, Seeds.web)
        return api
    }

    @Test func aPolicyEngineRefusingTheBudgetIsNamedWithTheWayOut() async {
        let api = Self.seeded()
        api.fail(
            "POST", Seeds.pdbs,
            with: KubeAPIError(
                code: 403, reason: "Forbidden",
                message:
                    "admission webhook \"validation.gatekeeper.sh\" denied the request: [pdb-max-unavailable] PodDisruptionBudget <web-singleton> has maxUnavailable of 0, only positive integers are allowed for maxUnavailable"
            ))
        let run = await runPlugin(["enable", "deploy/web", "-n", "shop", "--pdb"], connector: api)
        #expect(run.code == 1)
        #expect(run.out.contains("deployment.apps/web configured"))
        #expect(
            run.err.contains(
                "refused by a policy in the cluster: admission webhook \"validation.gatekeeper.sh\" denied the request"),
            "\(run.err)")
        #expect(run.err.contains("rerun without --pdb to skip the PDB"))
        #expect(!run.err.contains("kubectl drain waits"), "no drain warning for a budget that was not created")
    }

    @Test func theDrainWarningComesOnlyWithACreatedBudget() async {
        let api = Self.seeded()
        let first = await runPlugin(["enable", "deploy/web", "-n", "shop", "--pdb"], connector: api)
        #expect(first.err.contains("kubectl drain waits"))
        let again = await runPlugin(["enable", "deploy/web", "-n", "shop", "--pdb"], connector: api)
        #expect(again.code == 0)
        #expect(!again.err.contains("kubectl drain waits"), "\(again.err)")
    }

    @Test func aKEDAScaledObjectAimedAtTheWorkloadIsNamed() async {
        let api = Self.seeded()
        api.seed(
            "/apis/keda.sh/v1alpha1/namespaces/shop/scaledobjects",
            [
                "apiVersion": "keda.sh/v1alpha1", "kind": "ScaledObject",
                "metadata": ["name": "web-queue", "namespace": "shop"],
                "spec": ["scaleTargetRef": ["name": "web"], "triggers": []],
            ])
        api.seed(
            "/apis/keda.sh/v1alpha1/namespaces/shop/scaledobjects",
            [
                "apiVersion": "keda.sh/v1alpha1", "kind": "ScaledObject",
                "metadata": ["name": "other", "namespace": "shop"],
                "spec": ["scaleTargetRef": ["name": "api"], "maxReplicaCount": 5],
            ])
        let run = await runPlugin(["enable", "deploy/web", "-n", "shop"], connector: api)
        #expect(run.code == 0)
        #expect(
            run.err.contains("Warning: KEDA ScaledObject web-queue targets it with maxReplicaCount 100"), "\(run.err)")
        #expect(!run.err.contains("ScaledObject other"))
    }

    static let budgets: [(JSONValue, Bool)] = [
        (["maxUnavailable": 0], true), (["maxUnavailable": "0%"], true), (["minAvailable": 1], true),
        (["minAvailable": "50%"], true), (["maxUnavailable": 1], false), (["maxUnavailable": "25%"], false),
        (["minAvailable": 0], false), (.object([:]), false),
    ]

    @Test(arguments: budgets)
    func whichBudgetsBlockEvictionOfTheOnlyPod(_ spec: JSONValue, _ blocks: Bool) {
        #expect(Companions.blocksEviction(["spec": spec]) == blocks)
    }
}
