import Foundation
import KubeAPIMachinery
@testable import SingletonCLI
import SingletonCore
import Testing

/// list, status and leases against FakeAPI (a unit-test double; see FakeAPI.swift).
@Suite struct ReadCommandTests {
    static func pod(_ name: String, app: String, hash: String? = nil, terminating: Bool = false) -> JSONValue {
        var meta: JSONValue = ["name": .string(name), "namespace": "shop", "labels": ["app": .string(app)]]
        if let hash {
            meta = meta.applyingMergePatch([
                "labels": ["pod-template-hash": .string(hash)],
                "ownerReferences": [
                    [
                        "apiVersion": "apps/v1", "kind": "ReplicaSet", "name": .string("\(app)-\(hash)"), "uid": "rs",
                        "controller": true,
                    ]
                ],
            ])
        }
        if terminating { meta["deletionTimestamp"] = "2024-06-11T04:19:00Z" }
        return [
            "apiVersion": "v1", "kind": "Pod", "metadata": meta,
            "status": ["phase": "Running", "conditions": [["type": "Ready", "status": "True"]]],
        ]
    }

    func cluster() -> FakeAPI {
        let api = FakeAPI(namespace: "shop")
        api.seed(
            Seeds.deployments,
            Seeds.web.applyingMergePatch([
                "metadata": [
                    "annotations": ["kube-singleton.dev/mode": "at-most-one", "kube-singleton.dev/lease": "web-leader"]
                ]
            ]))
        api.seed(
            Seeds.deployments,
            [
                "apiVersion": "apps/v1", "kind": "Deployment", "metadata": ["name": "plain", "namespace": "shop"],
                "spec": ["replicas": 4],
            ])
        api.seed(
            Seeds.statefulsets,
            [
                "apiVersion": "apps/v1", "kind": "StatefulSet",
                "metadata": [
                    "name": "db", "namespace": "shop", "annotations": ["kube-singleton.dev/mode": "at-least-one"],
                ],
                "spec": [
                    "replicas": 1, "serviceName": "db", "selector": ["matchLabels": ["app": "db"]],
                    "template": ["metadata": ["labels": ["app": "db"]]],
                ],
                "status": ["readyReplicas": 1],
            ])
        api.seed(
            Seeds.services,
            [
                "apiVersion": "v1", "kind": "Service", "metadata": ["name": "db", "namespace": "shop"],
                "spec": ["clusterIP": "None", "selector": ["app": "db"]],
            ])
        api.seed(
            Seeds.pdbs,
            [
                "apiVersion": "policy/v1", "kind": "PodDisruptionBudget",
                "metadata": ["name": "db-singleton", "namespace": "shop"],
                "spec": ["maxUnavailable": 0, "selector": ["matchLabels": ["app": "db"]]],
            ])
        for p in [
            Self.pod("web-7d4b9c-aaaaa", app: "web", hash: "7d4b9c"),
            Self.pod("web-7d4b9c-bbbbb", app: "web", hash: "7d4b9c"),
            Self.pod("web-7d4b9c-ccccc", app: "web", hash: "7d4b9c", terminating: true), Self.pod("db-0", app: "db"),
        ] {
            api.seed(Seeds.pods, p)
        }
        api.seed(
            "/apis/autoscaling/v2/namespaces/shop/horizontalpodautoscalers",
            [
                "apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler",
                "metadata": [
                    "name": "keda-hpa-web", "namespace": "shop", "labels": ["scaledobject.keda.sh/name": "web"],
                ],
                "spec": [
                    "scaleTargetRef": ["apiVersion": "apps/v1", "kind": "Deployment", "name": "web"], "maxReplicas": 10,
                ],
            ])
        api.seed(
            "/apis/coordination.k8s.io/v1/namespaces/shop/leases",
            [
                "apiVersion": "coordination.k8s.io/v1", "kind": "Lease",
                "metadata": ["name": "web-leader", "namespace": "shop"],
                "spec": [
                    "holderIdentity": "web-7d4b9c-aaaaa_0c8914f7", "leaseDurationSeconds": 15, "leaseTransitions": 2,
                    "renewTime": "2024-06-11T04:19:37.976706Z", "acquireTime": "2024-06-10T19:11:21.606454Z",
                ],
            ])
        return api
    }

    @Test func listShowsSingletonsWithViolations() async {
        let run = await runPlugin(["list", "-n", "shop"], connector: cluster())
        #expect(run.code == 0, "\(run.err)")
        #expect(
            run.out == """
                NAME                  MODE           ENFORCEMENT   DESIRED   READY   PDB            SERVICE   LEASE-HOLDER                VIOLATIONS
                deployment.apps/web   at-most-one    deny          3         3       <none>         <none>    web-7d4b9c-aaaaa_0c8914f7   replicas=3,pods=2,surge,hpa/keda-hpa-web
                statefulset.apps/db   at-least-one   deny          1         1       db-singleton   db        <none>                      <none>

                """)
    }

    @Test func listJSONIsMachineReadable() async throws {
        let run = await runPlugin(["list", "-A", "-o", "json"], connector: cluster())
        let doc = try JSONValue.parse(Data(run.out.utf8))
        #expect(doc["kind"] == "List")
        let web = try #require(doc["items"]?.arrayValue?.first)
        #expect(web["runningPods"] == ["web-7d4b9c-aaaaa", "web-7d4b9c-bbbbb"])
        #expect(web["terminatingPods"] == ["web-7d4b9c-ccccc"])
        #expect(web[path: "lease", "holderPod"] == "web-7d4b9c-aaaaa")
        #expect(web[path: "lease", "renewedSecondsAgo"] == 2)
    }

    @Test func statusNamesEachRisk() async {
        let run = await runPlugin(["status", "deploy/web", "-n", "shop"], connector: cluster())
        #expect(run.code == 0)
        #expect(run.out.contains("Pods:          web-7d4b9c-aaaaa, web-7d4b9c-bbbbb (terminating: web-7d4b9c-ccccc)"))
        #expect(
            run.out.contains(
                "Lease:         web-leader held by web-7d4b9c-aaaaa_0c8914f7 (pod web-7d4b9c-aaaaa), renewed 2s ago, duration 15s, expired: no"
            ))
        #expect(run.out.contains("  - spec.replicas is 3"))
        #expect(run.out.contains("  - 2 pods are running: web-7d4b9c-aaaaa, web-7d4b9c-bbbbb"))
        #expect(run.out.contains("  - the rollout strategy surges"))
        #expect(
            run.out.contains(
                "HorizontalPodAutoscaler keda-hpa-web can scale it to 10 replicas (made by KEDA ScaledObject web"))
        #expect(run.out.contains("no PodDisruptionBudget selects its pods"))
        // The fake has no webhook configuration listed: "not installed".
        #expect(run.out.contains("the kube-singleton webhook is not installed"))
        let db = await runPlugin(["status", "sts/db", "-n", "shop"], connector: cluster())
        #expect(db.out.contains("PDB:           db-singleton\nService:       db\n"))
        #expect(!db.out.contains("PodDisruptionBudget"))
    }

    @Test func statusSeesAMismatchedOwnPDB() async {
        let api = cluster()
        api.seed(
            Seeds.pdbs,
            [
                "apiVersion": "policy/v1", "kind": "PodDisruptionBudget",
                "metadata": ["name": "web-singleton", "namespace": "shop"],
                "spec": ["maxUnavailable": 0, "selector": ["matchLabels": ["app": "web-old"]]],
            ])
        let run = await runPlugin(["status", "deploy/web", "-n", "shop", "-o", "json"], connector: api)
        #expect(run.out.contains("\"pdb-mismatch\""))
    }

    @Test func leasesResolveHoldersWithAnInjectedClock() async {
        let api = cluster()
        api.seed(
            "/apis/coordination.k8s.io/v1/namespaces/shop/leases",
            [
                "apiVersion": "coordination.k8s.io/v1", "kind": "Lease",
                "metadata": ["name": "old", "namespace": "shop"],
                "spec": [
                    "holderIdentity": "gone-pod", "leaseDurationSeconds": 15,
                    "renewTime": "2024-06-11T04:10:00.000000Z",
                ],
            ])
        api.seed(
            "/api/v1/namespaces/shop/configmaps",
            [
                "apiVersion": "v1", "kind": "ConfigMap",
                "metadata": [
                    "name": "cron", "namespace": "shop",
                    "annotations": [
                        "control-plane.alpha.kubernetes.io/leader":
                            "{\"holderIdentity\":\"db-0\",\"leaseDurationSeconds\":30,\"acquireTime\":\"2024-06-11T04:00:00Z\",\"renewTime\":\"2024-06-11T04:19:30Z\",\"leaderTransitions\":1}"
                    ],
                ],
            ])
        let run = await runPlugin(["leases", "-n", "shop"], connector: api)
        #expect(run.code == 0, "\(run.err)")
        #expect(
            run.out == """
                NAME                                   HOLDER                      POD                WORKLOAD              RENEWED     DURATION   TRANSITIONS   EXPIRED
                configmap/cron                         db-0                        db-0               <none>                10s ago     30s        1             no
                lease.coordination.k8s.io/old          gone-pod                    <none>             <none>                9m40s ago   15s        -             yes (est.)
                lease.coordination.k8s.io/web-leader   web-7d4b9c-aaaaa_0c8914f7   web-7d4b9c-aaaaa   deployment.apps/web   2s ago      15s        2             no

                """)
    }
}

@Suite struct LeaseVisibilityTests {
    @Test func systemLeasesHiddenUnlessAll() async throws {
        let api = FakeAPI(namespace: "kube-system")
        api.seed(
            "/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases",
            [
                "apiVersion": "coordination.k8s.io/v1", "kind": "Lease",
                "metadata": ["name": "node-1", "namespace": "kube-node-lease"],
                "spec": [
                    "holderIdentity": "node-1", "leaseDurationSeconds": 40, "renewTime": "2024-06-11T04:19:30.000000Z",
                ],
            ])
        api.seed(
            "/apis/coordination.k8s.io/v1/namespaces/kube-system/leases",
            [
                "apiVersion": "coordination.k8s.io/v1", "kind": "Lease",
                "metadata": [
                    "name": "apiserver-07a5", "namespace": "kube-system",
                    "labels": ["apiserver.kubernetes.io/identity": "kube-apiserver"],
                ],
                "spec": [
                    "holderIdentity": "apiserver-07a5_0c89", "leaseDurationSeconds": 3600,
                    "renewTime": "2024-06-11T04:00:00.000000Z",
                ],
            ])
        api.seed(
            "/apis/coordination.k8s.io/v1/namespaces/kube-system/leases",
            [
                "apiVersion": "coordination.k8s.io/v1", "kind": "Lease",
                "metadata": ["name": "kube-scheduler", "namespace": "kube-system"],
                "spec": [
                    "holderIdentity": "master-1_9f2e", "leaseDurationSeconds": 15,
                    "renewTime": "2024-06-11T04:19:39.000000Z",
                ],
            ])
        let visible = await runPlugin(["leases", "-A"], connector: api)
        #expect(visible.out.contains("lease.coordination.k8s.io/kube-scheduler"))
        #expect(!visible.out.contains("apiserver-07a5") && !visible.out.contains("node-1"))
        #expect(visible.out.hasPrefix("NAMESPACE     NAME"))
        let all = await runPlugin(["leases", "-A", "--all", "-o", "wide"], connector: api)
        #expect(
            all.out.contains("lease.coordination.k8s.io/apiserver-07a5")
                && all.out.contains("lease.coordination.k8s.io/node-1"))
        #expect(all.out.contains("ACQUIRED   PROBLEM"))
        let json = try JSONValue.parse(Data(await runPlugin(["leases", "-A", "-o", "json"], connector: api).out.utf8))
        #expect(json["items"]?.arrayValue?.map { $0["name"] } == ["lease.coordination.k8s.io/kube-scheduler"])
        #expect(json["items"]?.arrayValue?.first?["renewedSecondsAgo"] == 1)
    }

    @Test func emptyNamespaceSaysSoLikeKubectl() async {
        let run = await runPlugin(["list", "-n", "empty"], connector: FakeAPI())
        #expect(run.code == 0 && run.out.isEmpty)
        #expect(run.err == "No resources found in empty namespace.\n")
    }
}
