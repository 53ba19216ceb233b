import Foundation
import KubeAPIMachinery
import SingletonCore
import Synchronization
import TestSupport
import Testing

@testable import SingletonCLI

/// A mixed cluster built from the kubernetes/api testdata objects (every field filled in),
/// with workloads whose selectors overlap, PDBs and Services chosen by label, HPAs, Leases
/// and pods in every state: what `list` must report stays the same whatever way the joins
/// are computed. The golden files were recorded with the join-by-scan implementation.
@Suite(.enabled(if: Paths.hasShared, "needs ../shared/fixtures"))
struct ListMixedClusterTests {
    static let fixtures = Paths.shared.appendingPathComponent("fixtures/k8s-api/v1.33.0")
    static let golden = Paths.repoRoot.appendingPathComponent("Tests/golden")

    static func fixture(_ name: String) throws -> JSONValue {
        try JSONValue.parse(Data(contentsOf: fixtures.appendingPathComponent("\(name).json")))
    }

    /// Deterministic variety without randomness: each choice cycles through its options at
    /// its own stride. Selectors are replaced, not merged into the fixtures' own.
    static func mixedCluster() throws -> FakeAPI {
        let api = FakeAPI()
        let deployment = try fixture("apps.v1.Deployment").applyingMergePatch(["spec": ["selector": .null]])
        let statefulSet = try fixture("apps.v1.StatefulSet").applyingMergePatch(["spec": ["selector": .null]])
        let replicaSet = try fixture("apps.v1.ReplicaSet").applyingMergePatch(["spec": ["selector": .null]])
        let controller = try fixture("core.v1.ReplicationController").applyingMergePatch(["spec": ["selector": .null]])
        let pod = try fixture("core.v1.Pod")
        let pdb = try fixture("policy.v1.PodDisruptionBudget").applyingMergePatch(["spec": ["selector": .null]])
        let service = try fixture("core.v1.Service").applyingMergePatch(["spec": ["selector": .null]])
        let hpa = try fixture("autoscaling.v2.HorizontalPodAutoscaler")
        let lease = try fixture("coordination.k8s.io.v1.Lease")
        let modes: [JSONValue] = ["at-most-one", "at-least-one", "sometimes", .null]
        for (n, ns) in ["alpha", "beta", "gamma"].enumerated() {
            for j in 0..<14 {
                let name = "w\(j)"
                let app = "app\(j % 5)"
                let labels: JSONValue = ["app": .string(app), "id": .string(name)]
                let selector: JSONValue
                switch (j + n) % 4 {
                case 0: selector = ["matchLabels": labels, "matchExpressions": .null]
                case 1: selector = ["matchLabels": ["app": .string(app)], "matchExpressions": .null]
                case 2:
                    selector = [
                        "matchLabels": .null,
                        "matchExpressions": [["key": "id", "operator": "In", "values": [.string(name), "zz"]]],
                    ]
                default: selector = ["matchLabels": .null, "matchExpressions": .null]
                }
                var annotations: [String: JSONValue] = [SingletonAnnotation.mode: modes[(j + 2 * n) % 4]]
                if j % 3 == 0 { annotations[SingletonAnnotation.lease] = .string("lease-\(name)") }
                let replicas: JSONValue = [1, 3, .null, 1][(j + n) % 4]
                let meta: JSONValue = [
                    "name": .string(name), "namespace": .string(ns), "annotations": .object(annotations),
                    "ownerReferences": .null, "deletionTimestamp": .null,
                ]
                let template: JSONValue = ["metadata": ["labels": labels]]
                switch j % 4 {
                case 0:
                    let strategy: JSONValue = [
                        ["type": "Recreate", "rollingUpdate": .null],
                        ["type": "RollingUpdate", "rollingUpdate": ["maxSurge": 0, "maxUnavailable": 1]],
                        ["type": "RollingUpdate", "rollingUpdate": ["maxSurge": "50%"]],
                    ][j % 3]
                    api.seed(
                        "/apis/apps/v1/namespaces/\(ns)/deployments",
                        deployment.applyingMergePatch([
                            "metadata": meta,
                            "spec": [
                                "replicas": replicas, "selector": selector, "template": template, "strategy": strategy,
                            ],
                        ]))
                case 1:
                    api.seed(
                        "/apis/apps/v1/namespaces/\(ns)/statefulsets",
                        statefulSet.applyingMergePatch([
                            "metadata": meta,
                            "spec": [
                                "replicas": replicas, "selector": selector, "template": template,
                                "serviceName": j % 3 == 1 ? .string("gov-\(name)") : (j % 3 == 2 ? "" : "missing"),
                            ],
                        ]))
                case 2:
                    api.seed(
                        "/apis/apps/v1/namespaces/\(ns)/replicasets",
                        replicaSet.applyingMergePatch([
                            "metadata": meta,
                            "spec": ["replicas": replicas, "selector": selector, "template": template],
                        ]))
                    // A ReplicaSet of a Deployment carries its annotations: not listed twice.
                    api.seed(
                        "/apis/apps/v1/namespaces/\(ns)/replicasets",
                        replicaSet.applyingMergePatch([
                            "metadata": [
                                "name": .string("w0-\(j)"), "namespace": .string(ns),
                                "annotations": [SingletonAnnotation.mode: "at-most-one"],
                                "ownerReferences": [["apiVersion": "apps/v1", "kind": "Deployment", "name": "w0"]],
                            ],
                            "spec": ["selector": selector, "template": template],
                        ]))
                default:
                    api.seed(
                        "/api/v1/namespaces/\(ns)/replicationcontrollers",
                        controller.applyingMergePatch([
                            "metadata": meta,
                            "spec": ["replicas": replicas, "selector": labels, "template": template],
                        ]))
                }
                // Pods: running, terminating, finished, and one in the next namespace with the same labels.
                for k in 0..<(j % 4) {
                    let phase: JSONValue = ["Running", "Running", "Succeeded", "Pending"][(k + j) % 4]
                    let podNS = k == 2 && j % 2 == 0 ? ["alpha", "beta", "gamma"][(n + 1) % 3] : ns
                    api.seed(
                        "/api/v1/namespaces/\(podNS)/pods",
                        pod.applyingMergePatch([
                            "metadata": [
                                "name": .string("\(name)-p\(k)"), "namespace": .string(podNS), "labels": labels,
                                "deletionTimestamp": (k + n) % 3 == 1 ? "2024-06-11T04:19:00Z" : .null,
                            ],
                            "status": [
                                "phase": phase,
                                "conditions": [["type": "Ready", "status": k % 2 == 0 ? "True" : "False"]],
                            ],
                        ]))
                }
                // PDBs: by id, by app with an expression, a stale `-singleton` one, none.
                let budget: JSONValue = [
                    ["maxUnavailable": 0, "minAvailable": .null], ["maxUnavailable": .null, "minAvailable": "50%"],
                    ["maxUnavailable": 1, "minAvailable": .null], ["maxUnavailable": "0%", "minAvailable": .null],
                ][(j + n) % 4]
                switch (j + 2 * n) % 5 {
                case 0:
                    api.seed(
                        "/apis/policy/v1/namespaces/\(ns)/poddisruptionbudgets",
                        pdb.applyingMergePatch([
                            "metadata": ["name": .string("pdb-\(name)"), "namespace": .string(ns)],
                            "spec": budget.applyingMergePatch([
                                "selector": ["matchLabels": ["id": .string(name)], "matchExpressions": .null]
                            ]),
                        ]))
                case 1:
                    api.seed(
                        "/apis/policy/v1/namespaces/\(ns)/poddisruptionbudgets",
                        pdb.applyingMergePatch([
                            "metadata": ["name": .string("pdb-\(app)-\(j)"), "namespace": .string(ns)],
                            "spec": budget.applyingMergePatch([
                                "selector": [
                                    "matchLabels": ["app": .string(app)],
                                    "matchExpressions": [["key": "id", "operator": "Exists", "values": .null]],
                                ]
                            ]),
                        ]))
                case 2:
                    api.seed(
                        "/apis/policy/v1/namespaces/\(ns)/poddisruptionbudgets",
                        pdb.applyingMergePatch([
                            "metadata": ["name": .string("\(name)-singleton"), "namespace": .string(ns)],
                            "spec": ["selector": ["matchLabels": ["id": "gone"], "matchExpressions": .null]],
                        ]))
                default: break
                }
                // Services: by app, by app and id, headless governing ones, a non-matching one.
                let clusterIP: JSONValue = j % 2 == 0 ? "None" : .string("10.0.0.\(j)")
                switch (j + n) % 3 {
                case 0:
                    api.seed(
                        "/api/v1/namespaces/\(ns)/services",
                        service.applyingMergePatch([
                            "metadata": ["name": .string("svc-\(app)-\(j)"), "namespace": .string(ns)],
                            "spec": ["selector": ["app": .string(app)], "clusterIP": clusterIP],
                        ]))
                case 1:
                    api.seed(
                        "/api/v1/namespaces/\(ns)/services",
                        service.applyingMergePatch([
                            "metadata": ["name": .string("gov-\(name)"), "namespace": .string(ns)],
                            "spec": ["selector": labels, "clusterIP": clusterIP],
                        ]))
                default:
                    api.seed(
                        "/api/v1/namespaces/\(ns)/services",
                        service.applyingMergePatch([
                            "metadata": ["name": .string("other-\(name)"), "namespace": .string(ns)],
                            "spec": ["selector": ["app": .string(app), "id": "nobody"], "clusterIP": clusterIP],
                        ]))
                }
                // HPAs aimed at it (or at a namespace twin), with and without room to scale.
                if (j + n) % 3 != 2 {
                    let kinds = ["Deployment", "StatefulSet", "ReplicaSet", "ReplicationController"]
                    api.seed(
                        "/apis/autoscaling/v2/namespaces/\(ns)/horizontalpodautoscalers",
                        hpa.applyingMergePatch([
                            "metadata": [
                                "name": .string("hpa-\(name)"), "namespace": .string(ns),
                                "labels": j % 5 == 0 ? ["scaledobject.keda.sh/name": .string("so-\(name)")] : .null,
                            ],
                            "spec": [
                                "maxReplicas": [5, 1, 2][j % 3],
                                "scaleTargetRef": [
                                    "apiVersion": j % 4 == 3 ? "v1" : "apps/v1",
                                    "kind": .string(kinds[(j + (j % 7 == 6 ? 1 : 0)) % 4]), "name": .string(name),
                                ],
                            ],
                        ]))
                }
                // Leases: held by a pod, by `<pod>_<uuid>`, released, stale, or absent.
                if j % 3 == 0, (j + n) % 4 != 3 {
                    let holder = JSONValue.string(["\(name)-p0", "\(name)-p1_8f2c", "", "someone-else"][(j + n) % 4])
                    api.seed(
                        "/apis/coordination.k8s.io/v1/namespaces/\(ns)/leases",
                        lease.applyingMergePatch([
                            "metadata": ["name": .string("lease-\(name)"), "namespace": .string(ns)],
                            "spec": [
                                "holderIdentity": holder, "leaseDurationSeconds": 15,
                                "renewTime": j % 2 == 0 ? "2024-06-11T04:19:37.000000Z" : "2024-06-11T04:10:00.000000Z",
                            ],
                        ]))
                }
            }
        }
        return api
    }

    /// Compares with the recorded report; `RECORD_GOLDEN=1` writes it instead.
    func check(_ args: [String], _ file: String) async throws {
        let api = try Self.mixedCluster()
        let run = await runPlugin(args, connector: api)
        #expect(run.code == 0, "\(run.err)")
        let url = Self.golden.appendingPathComponent(file)
        if ProcessInfo.processInfo.environment["RECORD_GOLDEN"] == "1" {
            try FileManager.default.createDirectory(at: Self.golden, withIntermediateDirectories: true)
            try run.out.write(to: url, atomically: true, encoding: .utf8)
        }
        let expected = try String(contentsOf: url, encoding: .utf8)
        #expect(run.out.split(separator: "\n").count > 8)
        #expect(run.out == expected)
    }

    @Test func wideTableMatchesTheRecordedReport() async throws {
        try await check(["list", "-A", "-o", "wide"], "list-mixed-wide.txt")
    }

    @Test func jsonMatchesTheRecordedReport() async throws {
        try await check(["list", "-A", "-o", "json"], "list-mixed.json")
    }

    @Test func namespaceListMatchesTheRecordedReport() async throws {
        try await check(["list", "-n", "beta"], "list-mixed-beta.txt")
    }
}

/// How `list` reads the cluster: every kind at once, each failing kind named on its own, and
/// large collections in pages as the API server serves them.
@Suite struct ListFetchTests {
    static func singleton(_ kind: String, _ name: String, namespace: String = "shop") -> JSONValue {
        [
            "apiVersion": "apps/v1", "kind": .string(kind),
            "metadata": [
                "name": .string(name), "namespace": .string(namespace),
                "annotations": [SingletonAnnotation.mode: "at-most-one"],
            ],
            "spec": [
                "replicas": 1, "selector": ["matchLabels": ["app": .string(name)]],
                "template": ["metadata": ["labels": ["app": .string(name)]]],
                "strategy": ["type": "Recreate"],
            ],
        ]
    }

    static func forbidden(_ resource: String) -> KubeAPIError {
        KubeAPIError(
            code: 403, reason: "Forbidden",
            message: "\(resource) is forbidden: User \"dev\" cannot list resource \"\(resource)\" at the cluster scope")
    }

    @Test func eachUnreadableKindIsNamedAndTheRestIsListed() async {
        let api = FakeAPI()
        api.seed("/apis/apps/v1/namespaces/shop/deployments", Self.singleton("Deployment", "web"))
        api.fail("GET", "/apis/apps/v1/statefulsets", with: Self.forbidden("statefulsets"))
        api.fail("GET", "/api/v1/pods", with: Self.forbidden("pods"))
        api.fail("GET", "/apis/coordination.k8s.io/v1/leases", with: Self.forbidden("leases"))
        let run = await runPlugin(["list", "-A", "-o", "name"], connector: api)
        #expect(run.code == 0, "\(run.err)")
        #expect(run.out == "deployment.apps/web\n")
        #expect(
            run.err.split(separator: "\n") == [
                #"Warning: cannot list statefulsets: Error from server (Forbidden): statefulsets is forbidden: User "dev" cannot list resource "statefulsets" at the cluster scope"#,
                #"Warning: cannot list pods, results may be incomplete: Error from server (Forbidden): pods is forbidden: User "dev" cannot list resource "pods" at the cluster scope"#,
                #"Warning: cannot list leases, results may be incomplete: Error from server (Forbidden): leases is forbidden: User "dev" cannot list resource "leases" at the cluster scope"#,
            ])
    }

    /// A failure that is not a missing permission fails the command, and does not hide that
    /// another kind could not be read either.
    @Test func aServerErrorFailsTheListAndOtherKindsStillReport() async {
        let api = FakeAPI()
        api.seed("/apis/apps/v1/namespaces/shop/statefulsets", Self.singleton("StatefulSet", "db"))
        api.fail(
            "GET", "/apis/apps/v1/deployments",
            with: KubeAPIError(code: 500, reason: "InternalError", message: "etcdserver: request timed out"))
        api.fail("GET", "/apis/apps/v1/replicasets", with: Self.forbidden("replicasets"))
        let run = await runPlugin(["list", "-A"], connector: api)
        #expect(run.code == 1)
        #expect(run.out == "")
        #expect(run.err.contains("Warning: cannot list replicasets: Error from server (Forbidden)"))
        #expect(run.err.contains("etcdserver: request timed out"))
    }

    /// Every kind is asked for before any answer is read: with each answer held back until all
    /// requests are in, a one-at-a-time list would never finish.
    @Test func theKindsAreFetchedConcurrently() async throws {
        let api = GatedAPI(base: FakeAPI(), expected: 10)
        api.base.seed("/apis/apps/v1/namespaces/shop/deployments", Self.singleton("Deployment", "web"))
        let run = await runPlugin(["list", "-A", "-o", "name"], connector: api)
        #expect(run.code == 0, "\(run.err)")
        #expect(run.out == "deployment.apps/web\n")
    }

    /// Through the real client: pages of 500 following `continue` to the end, and a list
    /// whose continue token expired (410) read again whole, nothing counted twice.
    @Test func largeListsArePagedAndAnExpiredTokenRestartsTheList() async throws {
        @Sendable func list(_ kind: String, _ items: [JSONValue], next: String? = nil) -> String {
            var metadata: JSONValue = ["resourceVersion": "100"]
            if let next {
                metadata = metadata.applyingMergePatch(["continue": .string(next), "remainingItemCount": 1])
            }
            let body: JSONValue = [
                "kind": .string(kind), "apiVersion": "apps/v1", "metadata": metadata, "items": .array(items),
            ]
            return String(decoding: body.serialized(), as: UTF8.self)
        }
        let expired =
            #"{"kind":"Status","apiVersion":"v1","status":"Failure","reason":"Expired","code":410,"message":"The provided continue parameter is too old to display a consistent list result."}"#
        let server = try await RecordingHTTPServer.start { request in
            let url = URLComponents(string: request.uri)
            let query = Dictionary((url?.queryItems ?? []).map { ($0.name, $0.value ?? "") }) { a, _ in a }
            switch (url?.path, query["continue"], query["limit"]) {
            case ("/apis/apps/v1/deployments", nil, _):
                return (200, list("DeploymentList", [Self.singleton("Deployment", "a1")], next: "deployments-2"))
            case ("/apis/apps/v1/deployments", "deployments-2", _):
                return (200, list("DeploymentList", [Self.singleton("Deployment", "a2")]))
            case ("/apis/apps/v1/statefulsets", nil, nil):
                return (
                    200,
                    list("StatefulSetList", [Self.singleton("StatefulSet", "s1"), Self.singleton("StatefulSet", "s2")])
                )
            case ("/apis/apps/v1/statefulsets", nil, _):
                return (200, list("StatefulSetList", [Self.singleton("StatefulSet", "s1")], next: "statefulsets-2"))
            case ("/apis/apps/v1/statefulsets", "statefulsets-2", _):
                return (410, expired)
            default:
                return (200, list("List", []))
            }
        }
        defer { Task { await server.stop() } }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("list-paging-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let kubeconfig = dir.appendingPathComponent("kubeconfig")
        try """
        apiVersion: v1
        kind: Config
        clusters: [{name: c, cluster: {server: "\(server.url)"}}]
        users: [{name: u, user: {token: t}}]
        contexts: [{name: c, context: {cluster: c, user: u}}]
        current-context: c
        """.write(to: kubeconfig, atomically: true, encoding: .utf8)
        let run = await runPlugin(
            ["list", "-A", "-o", "name"], connector: KubeClientConnector(environment: ["KUBECONFIG": kubeconfig.path]))
        #expect(run.code == 0, "\(run.err)")
        #expect(run.out == "deployment.apps/a1\ndeployment.apps/a2\nstatefulset.apps/s1\nstatefulset.apps/s2\n")
        let lists = server.requests.map(\.uri).filter { $0.contains("/deployments") || $0.contains("/statefulsets") }
        #expect(
            Set(lists) == [
                "/apis/apps/v1/deployments?limit=500", "/apis/apps/v1/deployments?limit=500&continue=deployments-2",
                "/apis/apps/v1/statefulsets?limit=500", "/apis/apps/v1/statefulsets?limit=500&continue=statefulsets-2",
                "/apis/apps/v1/statefulsets",
            ])
        #expect(lists.count == 5)
    }
}

/// Holds every GET until `expected` requests are waiting, then lets them all through.
final class GatedAPI: KubeAPI, KubeConnector {
    let base: FakeAPI
    let expected: Int
    private let arrived = Mutex(0)

    init(base: FakeAPI, expected: Int) {
        self.base = base
        self.expected = expected
    }

    var defaultNamespace: String { base.defaultNamespace }
    func connect(_ options: KubeOptions) throws -> any KubeAPI { self }

    func get(_ path: String) async throws(KubeAPIError) -> JSONValue {
        arrived.withLock { $0 += 1 }
        let deadline = ContinuousClock.now + .seconds(20)
        while arrived.withLock({ $0 }) < expected {
            guard ContinuousClock.now < deadline else {
                throw .noResponse("only \(arrived.withLock { $0 }) of \(expected) requests were sent at once")
            }
            try? await Task.sleep(for: .milliseconds(5))
        }
        return try await base.get(path)
    }
    func create(_ path: String, _ body: JSONValue, dryRun: DryRunMode) async throws(KubeAPIError) -> JSONValue {
        try await base.create(path, body, dryRun: dryRun)
    }
    func patch(
        _ path: String, _ body: JSONValue, type: PatchType, dryRun: DryRunMode
    ) async throws(KubeAPIError) -> JSONValue {
        try await base.patch(path, body, type: type, dryRun: dryRun)
    }
    func delete(_ path: String, dryRun: DryRunMode) async throws(KubeAPIError) {
        try await base.delete(path, dryRun: dryRun)
    }
}
