import Foundation
import KubeAPIMachinery
import Testing
@testable import KubeSandbox

@Suite("Scale subresource, tables, discovery, controllers")
struct PresentationTests {
    @Test func scaleLooksLikeTheApiserversScale() async throws {
        let api = makeAPI()
        _ = try await call(api, "POST", deploymentsPath, deployment("web", replicas: 2, annotations: ["a": "b"]))
        let s = try await call(api, "GET", deploymentsPath + "/web/scale")
        #expect(s.body["kind"] == "Scale")
        #expect(s.body["apiVersion"] == "autoscaling/v1")
        #expect(
            Set(s.body["metadata"]?.objectValue?.keys.map { $0 } ?? []) == [
                "name", "namespace", "uid", "resourceVersion", "creationTimestamp",
            ])
        #expect(s.body[path: "spec", "replicas"] == 2)
        #expect(s.body[path: "status", "selector"] == "app=web")
        var put = s.body
        put.set(["spec", "replicas"], 0)
        let zero = try await call(api, "PUT", deploymentsPath + "/web/scale", put)
        #expect(zero.body["spec"] == .object([:]))
        let parent = try await call(api, "GET", deploymentsPath + "/web")
        #expect(parent.body[path: "spec", "replicas"] == 0)
        let stale = try await call(api, "PUT", deploymentsPath + "/web/scale", put)
        #expect(stale.status == 409)
    }

    @Test func tablesShowReadyAndHolder() async throws {
        let api = makeAPI(controllers: true)
        _ = try await call(api, "POST", deploymentsPath, deployment("web", replicas: 2))
        let table = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json"
        let t = try await call(api, "GET", deploymentsPath, accept: table)
        #expect(t.body["kind"] == "Table")
        #expect(
            t.body["columnDefinitions"]?.arrayValue?.map { $0["name"] } == [
                "Name", "Ready", "Up-to-date", "Available", "Age",
            ])
        #expect(t.body["rows"]?.arrayValue?.first?["cells"]?.arrayValue?.prefix(4).map { $0 } == ["web", "2/2", 2, 2])
        let lease: JSONValue = [
            "apiVersion": "coordination.k8s.io/v1", "kind": "Lease", "metadata": ["name": "web-leader"],
            "spec": ["holderIdentity": "web-abc_1234", "leaseDurationSeconds": 15],
        ]
        _ = try await call(api, "POST", "/apis/coordination.k8s.io/v1/namespaces/default/leases", lease)
        let l = try await call(api, "GET", "/apis/coordination.k8s.io/v1/namespaces/default/leases", accept: table)
        #expect(l.body["columnDefinitions"]?.arrayValue?.map { $0["name"] } == ["Name", "Holder", "Age"])
        #expect(l.body["rows"]?.arrayValue?.first?["cells"]?.arrayValue?[1] == "web-abc_1234")
    }

    @Test func controllersNamePodsLikeKubernetes() async throws {
        let api = makeAPI(controllers: true)
        _ = try await call(api, "POST", deploymentsPath, deployment("web", replicas: 2))
        let sts: JSONValue = [
            "apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": ["name": "db"],
            "spec": [
                "replicas": 2, "serviceName": "db", "selector": ["matchLabels": ["app": "db"]],
                "template": [
                    "metadata": ["labels": ["app": "db"]], "spec": ["containers": [["name": "db", "image": "pg"]]],
                ],
            ],
        ]
        _ = try await call(api, "POST", "/apis/apps/v1/namespaces/default/statefulsets", sts)
        let pods = try await call(api, "GET", "/api/v1/namespaces/default/pods").body["items"]?.arrayValue ?? []
        let names = pods.map(\.name)
        #expect(names.filter { $0.hasPrefix("db-") }.sorted() == ["db-0", "db-1"])
        let web = names.filter { $0.hasPrefix("web-") }
        #expect(web.count == 2)
        let rs = try await call(api, "GET", "/apis/apps/v1/namespaces/default/replicasets").body["items"]?.arrayValue?
            .first
        let rsName = try #require(rs?.name)
        #expect(web.allSatisfy { $0.hasPrefix(rsName + "-") && $0.count == rsName.count + 6 })
        #expect(pods.allSatisfy { $0[path: "status", "phase"] == "Running" })
        let d = try await call(api, "GET", deploymentsPath + "/web")
        #expect(d.body[path: "status", "readyReplicas"] == 2)
        _ = try await call(
            api, "PATCH", deploymentsPath + "/web/scale", ["spec": ["replicas": 1]],
            contentType: "application/merge-patch+json")
        let after = try await call(api, "GET", deploymentsPath + "/web")
        #expect(after.body[path: "status", "readyReplicas"] == 1)
    }

    @Test func discoveryAndVersion() async throws {
        let api = makeAPI()
        let v = try await call(api, "GET", "/version")
        #expect(v.body["minor"] == "32")
        let apps = try await call(api, "GET", "/apis/apps/v1")
        let resources = apps.body["resources"]?.arrayValue ?? []
        #expect(resources.contains { $0["name"] == "deployments" && $0["shortNames"] == ["deploy"] })
        #expect(
            resources.contains {
                $0["name"] == "deployments/scale" && $0["kind"] == "Scale" && $0["group"] == "autoscaling"
            })
        let groups = try await call(api, "GET", "/apis")
        let autoscaling = groups.body["groups"]?.arrayValue?.first { $0["name"] == "autoscaling" }
        #expect(autoscaling?[path: "preferredVersion", "version"] == "v2")
        let hpa = try await call(api, "GET", "/apis/autoscaling/v1")
        #expect(hpa.body["resources"]?.arrayValue?.contains { $0["shortNames"] == ["hpa"] } == true)
    }

    @Test func partialObjectMetadataListForMetadataInformers() async throws {
        let api = makeAPI()
        _ = try await call(
            api, "POST", deploymentsPath, deployment("web", annotations: ["kube-singleton.dev/mode": "at-most-one"]))
        let r = try await call(
            api, "GET", "/apis/apps/v1/deployments",
            accept: "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json")
        #expect(r.body["kind"] == "PartialObjectMetadataList")
        #expect(r.body["apiVersion"] == "meta.k8s.io/v1")
        let item = try #require(r.body["items"]?.arrayValue?.first)
        #expect(item["kind"] == "PartialObjectMetadata")
        #expect(item[path: "metadata", "annotations", "kube-singleton.dev/mode"] == "at-most-one")
        #expect(item["spec"] == nil)
        #expect(Int(r.body[path: "metadata", "resourceVersion"]?.stringValue ?? "") != nil)
    }

    @Test func hpaIsServedInBothVersions() async throws {
        let api = makeAPI()
        let v1: JSONValue = [
            "apiVersion": "autoscaling/v1", "kind": "HorizontalPodAutoscaler", "metadata": ["name": "web"],
            "spec": [
                "scaleTargetRef": ["apiVersion": "apps/v1", "kind": "Deployment", "name": "web"],
                "maxReplicas": 3, "targetCPUUtilizationPercentage": 70,
            ],
        ]
        #expect(
            try await call(api, "POST", "/apis/autoscaling/v1/namespaces/default/horizontalpodautoscalers", v1).status
                == 201)
        let v2 = try await call(api, "GET", "/apis/autoscaling/v2/namespaces/default/horizontalpodautoscalers/web")
        #expect(v2.body["apiVersion"] == "autoscaling/v2")
        #expect(v2.body[path: "spec", "maxReplicas"] == 3)
        #expect(
            v2.body[path: "spec", "metrics"]?.arrayValue?.first?[path: "resource", "target", "averageUtilization"] == 70
        )
        #expect(v2.body[path: "spec", "targetCPUUtilizationPercentage"] == nil)
    }
}
