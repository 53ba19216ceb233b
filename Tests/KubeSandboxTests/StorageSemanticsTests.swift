import Foundation
import KubeAPIMachinery
import Testing
@testable import KubeSandbox

@Suite("Storage semantics over the API")
struct StorageSemanticsTests {
    @Test func createFillsMetadataAndGetReturnsIt() async throws {
        let api = makeAPI()
        let created = try await call(api, "POST", deploymentsPath, deployment("web"))
        #expect(created.status == 201)
        let meta = try #require(created.body["metadata"])
        #expect(meta["uid"]?.stringValue?.count == 36)
        #expect(meta["generation"]?.intValue == 1)
        #expect(meta["creationTimestamp"]?.stringValue?.hasSuffix("Z") == true)
        #expect(Int(meta["resourceVersion"]?.stringValue ?? "") != nil)
        let got = try await call(api, "GET", deploymentsPath + "/web")
        #expect(got.body == created.body)
        let again = try await call(api, "POST", deploymentsPath, deployment("web"))
        #expect(again.status == 409)
        #expect(again.body["reason"] == "AlreadyExists")
        #expect(again.message == "deployments.apps \"web\" already exists")
    }

    @Test func staleResourceVersionIsAConflict() async throws {
        let api = makeAPI()
        let created = try await call(api, "POST", deploymentsPath, deployment("web"))
        var first = created.body
        first.set(["spec", "replicas"], 2)
        let ok = try await call(api, "PUT", deploymentsPath + "/web", first)
        #expect(ok.status == 200)
        #expect(ok.body[path: "metadata", "generation"]?.intValue == 2)
        #expect(ok.body.resourceVersion != created.body.resourceVersion)
        var stale = created.body
        stale.set(["spec", "replicas"], 5)
        let conflict = try await call(api, "PUT", deploymentsPath + "/web", stale)
        #expect(conflict.status == 409)
        #expect(conflict.body["reason"] == "Conflict")
        #expect(conflict.message.contains("the object has been modified"))
        let current = try await call(api, "GET", deploymentsPath + "/web")
        #expect(current.body[path: "spec", "replicas"]?.intValue == 2)
    }

    @Test func metadataOnlyChangeKeepsGenerationAndStatusIsProtected() async throws {
        let api = makeAPI()
        let created = try await call(api, "POST", deploymentsPath, deployment("web"))
        var changed = created.body
        changed.set(["metadata", "annotations"], ["a": "b"])
        changed.set(["status"], ["replicas": 9])
        let r = try await call(api, "PUT", deploymentsPath + "/web", changed)
        #expect(r.body[path: "metadata", "generation"]?.intValue == 1)
        #expect(r.body[path: "status", "replicas"] == nil)
        var withStatus = r.body
        withStatus.set(["status"], ["replicas": 9])
        withStatus.set(["spec", "replicas"], 7)
        let status = try await call(api, "PUT", deploymentsPath + "/web/status", withStatus)
        #expect(status.body[path: "spec", "replicas"]?.intValue == 1)
        #expect(status.body[path: "status", "replicas"]?.intValue == 9)
    }

    @Test func namespacesAreCreatedOnDemandAndLabelled() async throws {
        let api = makeAPI()
        _ = try await call(
            api, "POST", "/apis/apps/v1/namespaces/team-a/deployments", deployment("web", namespace: "team-a"))
        let ns = try await call(api, "GET", "/api/v1/namespaces/team-a")
        #expect(ns.status == 200)
        #expect(ns.body[path: "metadata", "labels", "kubernetes.io/metadata.name"] == "team-a")
        #expect(ns.body[path: "status", "phase"] == "Active")
    }

    @Test func deleteGarbageCollectsDependentsAndOrphanKeepsThem() async throws {
        let api = makeAPI(controllers: true)
        _ = try await call(api, "POST", deploymentsPath, deployment("web", replicas: 2))
        let rs = try await call(api, "GET", "/apis/apps/v1/namespaces/default/replicasets")
        #expect(rs.body["items"]?.arrayValue?.count == 1)
        let pods = try await call(api, "GET", "/api/v1/namespaces/default/pods")
        #expect(pods.body["items"]?.arrayValue?.count == 2)
        let deleted = try await call(api, "DELETE", deploymentsPath + "/web")
        #expect(deleted.status == 200)
        let rsAfter = try await call(api, "GET", "/apis/apps/v1/namespaces/default/replicasets")
        #expect(rsAfter.body["items"]?.arrayValue?.isEmpty == true)
        let podsAfter = try await call(api, "GET", "/api/v1/namespaces/default/pods")
        #expect(podsAfter.body["items"]?.arrayValue?.isEmpty == true)

        let cm: JSONValue = ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "owner"]]
        let owner = try await call(api, "POST", "/api/v1/namespaces/default/configmaps", cm)
        let dep: JSONValue = [
            "apiVersion": "v1", "kind": "ConfigMap",
            "metadata": [
                "name": "dependent",
                "ownerReferences": [
                    [
                        "apiVersion": "v1", "kind": "ConfigMap", "name": "owner",
                        "uid": owner.body[path: "metadata", "uid"] ?? "",
                    ]
                ],
            ],
        ]
        _ = try await call(api, "POST", "/api/v1/namespaces/default/configmaps", dep)
        _ = try await call(
            api, "DELETE", "/api/v1/namespaces/default/configmaps/owner", ["propagationPolicy": "Orphan"])
        let kept = try await call(api, "GET", "/api/v1/namespaces/default/configmaps/dependent")
        #expect(kept.status == 200)
        #expect(kept.body[path: "metadata", "ownerReferences"] == nil)
    }

    @Test func dryRunValidatesButDoesNotStore() async throws {
        let api = makeAPI()
        let r = try await call(api, "POST", deploymentsPath, deployment("web"), query: ["dryRun": "All"])
        #expect(r.status == 201)
        let get = try await call(api, "GET", deploymentsPath + "/web")
        #expect(get.status == 404)
        #expect(get.message == "deployments.apps \"web\" not found")
    }

    @Test func listWithLabelSelectorAndPaging() async throws {
        let api = makeAPI()
        for i in 0..<5 {
            var d = deployment("web-\(i)")
            d.set(["metadata", "labels", "tier"], .string(i % 2 == 0 ? "even" : "odd"))
            _ = try await call(api, "POST", deploymentsPath, d)
        }
        let even = try await call(api, "GET", deploymentsPath, query: ["labelSelector": "tier=even"])
        #expect(even.body["items"]?.arrayValue?.map(\.name) == ["web-0", "web-2", "web-4"])
        let setBased = try await call(api, "GET", deploymentsPath, query: ["labelSelector": "tier in (odd),app"])
        #expect(setBased.body["items"]?.arrayValue?.map(\.name) == ["web-1", "web-3"])
        let page1 = try await call(api, "GET", deploymentsPath, query: ["limit": "2"])
        #expect(page1.body["items"]?.arrayValue?.map(\.name) == ["web-0", "web-1"])
        let token = try #require(page1.body[path: "metadata", "continue"]?.stringValue)
        let page2 = try await call(api, "GET", deploymentsPath, query: ["limit": "2", "continue": token])
        #expect(page2.body["items"]?.arrayValue?.map(\.name) == ["web-2", "web-3"])
        let bad = try await call(api, "GET", deploymentsPath, query: ["labelSelector": "tier in odd"])
        #expect(bad.status == 400)
    }

    @Test func anonymousRequestsGet401() async throws {
        let api = makeAPI()
        let r = try await call(api, "GET", deploymentsPath, user: nil)
        #expect(r.status == 401)
        #expect(r.body["reason"] == "Unauthorized")
    }
}
