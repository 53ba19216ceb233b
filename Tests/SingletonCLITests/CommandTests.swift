import Foundation
import KubeAPIMachinery
@testable import SingletonCLI
import SingletonCore
import Testing

/// Command logic against FakeAPI (a unit-test double; see FakeAPI.swift).
@Suite struct EnableDisableTests {
    func seeded() -> FakeAPI {
        let api = FakeAPI(namespace: "shop")
        api.seed(Seeds.deployments, Seeds.web)
        return api
    }

    @Test func enableSendsOnePatchOfTheChangedFieldsAndCreatesCompanions() async throws {
        let api = seeded()
        let run = await runPlugin(["enable", "deploy/web", "-n", "shop", "--pdb", "--service"], connector: api)
        #expect(run.code == 0, "\(run.err)")
        let writes = api.writes
        #expect(writes.map(\.verb) == ["PATCH", "POST", "POST"])
        #expect(
            writes[0].body == [
                "metadata": ["annotations": ["kube-singleton.dev/mode": "at-most-one"]],
                "spec": ["replicas": 1, "strategy": ["type": "Recreate", "rollingUpdate": nil]],
            ])
        #expect(writes[1].path == Seeds.pdbs && writes[2].path == Seeds.services)
        // Fields the plugin does not model survive.
        let stored = try #require(api.object("\(Seeds.deployments)/web"))
        #expect(stored[path: "spec", "revisionHistoryLimit"] == 5)
        #expect(
            stored[path: "spec", "template", "spec", "containers"]?.arrayValue?.first?["env"] == [
                ["name": "MODE", "value": "prod"]
            ])
        #expect(stored[path: "metadata", "annotations", "deployment.kubernetes.io/revision"] == "4")
        #expect(stored[path: "metadata", "labels", "team"] == "checkout")
        #expect(
            run.out.contains(
                "deployment.apps/web configured: annotated kube-singleton.dev/mode=at-most-one; lowered replicas from 3 to 1; set strategy Recreate"
            ))
        #expect(run.out.contains("poddisruptionbudget.policy/web-singleton created\nservice/web created\n"))
        #expect(run.err.contains("Warning: the PodDisruptionBudget (maxUnavailable 0) blocks voluntary evictions"))
        let pdb = try #require(api.object("\(Seeds.pdbs)/web-singleton"))
        #expect(
            pdb[path: "metadata", "ownerReferences"] == [
                ["apiVersion": "apps/v1", "kind": "Deployment", "name": "web", "uid": "uid-web"]
            ])

        // Idempotent: the second run writes nothing.
        let before = api.writes.count
        let again = await runPlugin(["enable", "deploy/web", "-n", "shop", "--pdb", "--service"], connector: api)
        #expect(again.code == 0)
        #expect(api.writes.count == before)
        #expect(again.out.contains("deployment.apps/web unchanged (already at-most-one)"))
        #expect(again.out.contains("poddisruptionbudget.policy/web-singleton unchanged\nservice/web unchanged\n"))
    }

    @Test func partialFailureIsReportedAndRerunFinishes() async throws {
        let api = seeded()
        api.fail(
            "POST", Seeds.pdbs,
            with: KubeAPIError(
                code: 403, reason: "Forbidden",
                message:
                    "poddisruptionbudgets.policy is forbidden: User \"dev\" cannot create resource \"poddisruptionbudgets\" in API group \"policy\" in the namespace \"shop\""
            ))
        let run = await runPlugin(
            ["enable", "deploy/web", "-n", "shop", "--pdb", "--mode", "at-least-one"], connector: api)
        #expect(run.code == 1)
        #expect(run.out.contains("deployment.apps/web configured"))
        #expect(
            run.err.contains(
                "error: poddisruptionbudget.policy/web-singleton: Error from server (Forbidden): poddisruptionbudgets.policy is forbidden"
            ))
        #expect(
            run.err.contains("rerun `kubectl singleton enable deploy/web -n shop --pdb --mode at-least-one` to finish"))
        api.clearFailures()
        let rerun = await runPlugin(
            ["enable", "deploy/web", "-n", "shop", "--pdb", "--mode", "at-least-one"], connector: api)
        #expect(rerun.code == 0)
        #expect(rerun.out.contains("deployment.apps/web unchanged"))
        #expect(rerun.out.contains("poddisruptionbudget.policy/web-singleton created"))
    }

    @Test func workloadStepFailureIsReportedAsAStep() async {
        let api = seeded()
        api.fail(
            "PATCH", "\(Seeds.deployments)/web",
            with: KubeAPIError(
                code: 500, reason: "InternalError",
                message:
                    "Internal error occurred: failed calling webhook \"workloads.kube-singleton.dev\": connection refused"
            ))
        let run = await runPlugin(["enable", "deploy/web", "-n", "shop", "--pdb"], connector: api)
        #expect(run.code == 1)
        #expect(
            run.err.contains("error: deployment.apps/web: Error from server (InternalError): Internal error occurred"))
        #expect(run.err.contains("1 of the steps failed (deployment.apps/web)"))
        #expect(
            !api.writes.contains { $0.path.hasPrefix(Seeds.pdbs) },
            "no companion for a workload that is not a singleton")

        // disable still removes its own companions and reports the annotation step as failed.
        api.clearFailures()
        _ = await runPlugin(["enable", "deploy/web", "-n", "shop", "--pdb"], connector: api)
        api.fail(
            "PATCH", "\(Seeds.deployments)/web",
            with: KubeAPIError(code: 403, reason: "Forbidden", message: "patch denied"))
        let disable = await runPlugin(["disable", "deploy/web", "-n", "shop"], connector: api)
        #expect(disable.code == 1)
        #expect(disable.out.contains("poddisruptionbudget.policy/web-singleton deleted"))
        #expect(disable.err.contains("error: deployment.apps/web: Error from server (Forbidden): patch denied"))
    }

    @Test func conflictIsRetriedOnFreshState() async {
        let api = seeded()
        api.conflict("PATCH", "\(Seeds.deployments)/web", times: 2)
        let run = await runPlugin(["enable", "deployments.apps/web", "-n", "shop"], connector: api)
        #expect(run.code == 0, "\(run.err)")
        #expect(api.requests.filter { $0.verb == "GET" && $0.path == "\(Seeds.deployments)/web" }.count == 3)
        #expect(api.writes.count == 3)
    }

    /// Conflicts are retried with client-go's backoff (9+45+225+900 ms at the least between
    /// five attempts), not at once, and the last one is reported as kubectl prints it.
    @Test func conflictsBeyondTheLimitAreReportedAfterBackingOff() async {
        let api = seeded()
        api.conflict("PATCH", "\(Seeds.deployments)/web", times: 10)
        let start = ContinuousClock.now
        let run = await runPlugin(["enable", "deployments.apps/web", "-n", "shop"], connector: api)
        let elapsed = ContinuousClock.now - start
        #expect(run.code == 1)
        #expect(run.err.contains("Error from server (Conflict): the object has been modified"), "\(run.err)")
        #expect(api.requests.filter { $0.verb == "PATCH" && $0.path == "\(Seeds.deployments)/web" }.count == 5)
        #expect(elapsed >= .milliseconds(1179), "\(elapsed)")
    }

    @Test func neverTouchesForeignObjects() async throws {
        let api = seeded()
        let foreign: JSONValue = [
            "apiVersion": "policy/v1", "kind": "PodDisruptionBudget",
            "metadata": ["name": "web-singleton", "namespace": "shop"], "spec": ["minAvailable": 1],
        ]
        api.seed(Seeds.pdbs, foreign)
        let run = await runPlugin(["enable", "deploy/web", "-n", "shop", "--pdb"], connector: api)
        #expect(run.code == 1)
        #expect(run.err.contains("not created by kubectl-singleton"))
        #expect(!api.writes.contains { $0.path.hasPrefix(Seeds.pdbs) })
        let disable = await runPlugin(["disable", "deploy/web", "-n", "shop"], connector: api)
        #expect(disable.code == 0)
        #expect(
            disable.out.contains(
                "poddisruptionbudget.policy/web-singleton left alone (not created by kubectl-singleton)"))
        #expect(api.object("\(Seeds.pdbs)/web-singleton") != nil)
    }

    @Test func disableRemovesAnnotationsAndOwnCompanions() async throws {
        let api = seeded()
        _ = await runPlugin(
            ["enable", "deploy/web", "-n", "shop", "--pdb", "--service", "--lease", "web-leader"], connector: api)
        let run = await runPlugin(["disable", "deploy/web", "-n", "shop"], connector: api)
        #expect(run.code == 0, "\(run.err)")
        let patch = try #require(api.writes.last { $0.verb == "PATCH" })
        #expect(
            patch.body == [
                "metadata": ["annotations": ["kube-singleton.dev/mode": nil, "kube-singleton.dev/lease": nil]]
            ])
        #expect(api.object("\(Seeds.pdbs)/web-singleton") == nil)
        #expect(api.object("\(Seeds.services)/web") == nil)
        #expect(api.object("\(Seeds.deployments)/web")?[path: "spec", "revisionHistoryLimit"] == 5)
    }

    @Test func serviceRefusedForMatchExpressions() async {
        let api = FakeAPI(namespace: "shop")
        api.seed(
            Seeds.statefulsets,
            [
                "apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": ["name": "db", "namespace": "shop"],
                "spec": [
                    "serviceName": "db",
                    "selector": ["matchExpressions": [["key": "app", "operator": "In", "values": ["db"]]]],
                ],
            ])
        let run = await runPlugin(["enable", "sts/db", "-n", "shop", "--service"], connector: api)
        #expect(run.code == 1)
        #expect(run.err.contains("a Service selects by equality only"))
        #expect(run.out.contains("statefulset.apps/db configured"))
    }

    @Test func dryRuns() async throws {
        let api = seeded()
        let client = await runPlugin(
            ["enable", "deploy/web", "-n", "shop", "--pdb", "--dry-run=client", "-o", "yaml"], connector: api)
        #expect(client.code == 0)
        #expect(api.writes.isEmpty)
        let docs = try YAMLBridge.documents(client.out)
        #expect(docs.first?["kind"] == "List")
        #expect(docs.first?["items"]?.arrayValue?.first?[path: "spec", "replicas"] == 1)
        #expect(client.err.contains("(dry run)"))
        let server = await runPlugin(["enable", "deploy/web", "-n", "shop", "--dry-run=server"], connector: api)
        #expect(server.code == 0)
        #expect(api.writes.map(\.dryRun) == [.server])
        #expect(api.object("\(Seeds.deployments)/web")?[path: "spec", "replicas"] == 3)
    }

    @Test func refusesReplicaSetOwnedByDeployment() async {
        let api = FakeAPI(namespace: "shop")
        api.seed(
            "/apis/apps/v1/namespaces/shop/replicasets",
            [
                "apiVersion": "apps/v1", "kind": "ReplicaSet",
                "metadata": [
                    "name": "web-7d4b9c", "namespace": "shop",
                    "ownerReferences": [
                        ["apiVersion": "apps/v1", "kind": "Deployment", "name": "web", "uid": "u", "controller": true]
                    ],
                ],
                "spec": ["replicas": 1],
            ])
        let run = await runPlugin(["enable", "rs/web-7d4b9c", "-n", "shop"], connector: api)
        #expect(run.code == 1)
        #expect(
            run.err.contains("run `kubectl singleton enable deployment.apps/web --mode at-most-one -n shop` instead"))
        #expect(api.writes.isEmpty)
    }

    @Test func argumentErrors() async {
        let bad = await runPlugin(["enable", "pod/web"])
        #expect(bad.code == 1)
        #expect(bad.err.contains("\"pod\" is not a workload kind"))
        let mode = await runPlugin(["enable", "deploy/web", "--mode", "one"])
        #expect(mode.code == 1)
        #expect(
            mode.err.contains(
                "'one' is invalid for '--mode <mode>'. Please provide one of 'at-most-one' and 'at-least-one'"),
            "\(mode.err)")
        let policy = await runPlugin(["install", "--failure-policy-scale", "fail", "--dry-run=client"])
        #expect(policy.code == 1)
        #expect(policy.err.contains("Please provide one of 'Ignore' and 'Fail'"), "\(policy.err)")
        let missing = await runPlugin(["enable", "deploy/web", "-n", "shop"], connector: FakeAPI(namespace: "shop"))
        #expect(missing.code == 1)
        #expect(missing.err.hasPrefix("Error from server (NotFound)"))
    }
}
