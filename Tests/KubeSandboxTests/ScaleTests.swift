import Foundation
import KubeAPIMachinery
import Testing
@testable import KubeSandbox

/// What keeps a full sandbox as fast as an empty one: paging over the sorted index with
/// continue tokens that expire like the apiserver's, a watch window found by search, and
/// controllers that reconcile only what changed.
@Suite("A full sandbox: paging, continue tokens, watch window, incremental controllers")
struct ScaleTests {
    /// Deployments a..e in two namespaces, without controllers.
    func filled(eventCapacity: Int = 1000) async throws -> SandboxAPI {
        let api = makeAPI(eventCapacity: eventCapacity)
        for (ns, name) in [("b", "x"), ("a", "z"), ("a", "y"), ("c", "w"), ("b", "v")] {
            _ = try await api.seed([deployment(name, namespace: ns)])
        }
        return api
    }

    @Test func pagesWalkEveryNamespaceInOrderAtOneResourceVersion() async throws {
        let api = try await filled()
        var seen: [String] = []
        var versions: Set<String> = []
        var remaining: [Int] = []
        var token: String?
        repeat {
            var query = ["limit": "2"]
            query["continue"] = token
            let page = try await call(api, "GET", "/apis/apps/v1/deployments", query: query)
            #expect(page.status == 200, "\(page.body)")
            seen += (page.body["items"]?.arrayValue ?? []).map { "\($0.namespace)/\($0.name)" }
            versions.insert(page.body[path: "metadata", "resourceVersion"]?.stringValue ?? "")
            if let n = page.body[path: "metadata", "remainingItemCount"]?.intValue { remaining.append(n) }
            token = page.body[path: "metadata", "continue"]?.stringValue
            // A write between pages neither repeats nor skips what was already listed.
            if seen.count == 2 { _ = try await api.seed([deployment("u", namespace: "c")]) }
        } while token != nil
        #expect(seen == ["a/y", "a/z", "b/v", "b/x", "c/u", "c/w"])
        #expect(versions.count == 1, "every page answers at the first page's resourceVersion")
        #expect(remaining == [3, 2])

        let one = try await call(api, "GET", "/apis/apps/v1/namespaces/b/deployments", query: ["limit": "1"])
        #expect(one.body["items"]?.arrayValue?.map(\.name) == ["v"])
        let next = try #require(one.body[path: "metadata", "continue"]?.stringValue)
        let rest = try await call(
            api, "GET", "/apis/apps/v1/namespaces/b/deployments", query: ["limit": "1", "continue": next])
        #expect(rest.body["items"]?.arrayValue?.map(\.name) == ["x"])
        #expect(rest.body[path: "metadata", "continue"] == nil)
    }

    @Test func aContinueTokenOlderThanTheWindowIs410AndAForgedOneIs400() async throws {
        let api = try await filled(eventCapacity: 3)
        let page = try await call(api, "GET", "/apis/apps/v1/deployments", query: ["limit": "2"])
        let token = try #require(page.body[path: "metadata", "continue"]?.stringValue)
        let decoded = try JSONValue.parse(try #require(Data(base64Encoded: token)))
        #expect(decoded["v"] == "meta.k8s.io/v1")
        #expect(decoded["rv"]?.intValue == Int(await api.revision))
        // Still inside the window: served.
        #expect(
            try await call(api, "GET", "/apis/apps/v1/deployments", query: ["limit": "2", "continue": token]).status
                == 200)
        for i in 0..<4 { _ = try await api.seed([deployment("later-\(i)", namespace: "d")]) }
        let expired = try await call(api, "GET", "/apis/apps/v1/deployments", query: ["limit": "2", "continue": token])
        #expect(expired.status == 410)
        #expect(expired.body["reason"] == "Expired")
        #expect(expired.message.hasPrefix("The provided continue parameter is too old"))

        let forged = Data(#"{"start":"a/y"}"#.utf8).base64EncodedString()
        let bad = try await call(api, "GET", "/apis/apps/v1/deployments", query: ["continue": forged])
        #expect(bad.status == 400)
        #expect(try await call(api, "GET", "/apis/apps/v1/deployments", query: ["continue": "%%%"]).status == 400)
    }

    @Test func theWatchWindowIsExactAfterTheLogIsTrimmed() async throws {
        var store = ObjectStore(eventCapacity: 3)
        let t = try #require(ResourceCatalog.named("configmaps", group: ""))
        for i in 0..<20 {
            let p = try ObjectPreparation.prepareCreate(
                t, namespace: "default",
                object: ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": .string("c\(i)")]],
                now: store.now)
            _ = try store.commitCreate(t, p)
        }
        #expect(store.events.count == 3)
        #expect(store.oldestResumable == store.revision - 3)
        #expect(try store.events(after: store.revision - 3).map(\.key.name) == ["c17", "c18", "c19"])
        #expect(try store.events(after: store.revision - 1).map(\.key.name) == ["c19"])
        #expect(throws: KubeAPIError.self) { try store.events(after: store.revision - 4) }
        #expect(store.all(t, namespace: "default").map(\.name) == (0..<20).map { "c\($0)" }.sorted())
    }

    @Test func controllersTouchOnlyTheWorkloadThatChanged() async throws {
        let api = makeAPI(controllers: true)
        for name in ["a", "b", "c"] { _ = try await call(api, "POST", deploymentsPath, deployment(name)) }
        let before = await api.revision
        _ = try await call(
            api, "PATCH", deploymentsPath + "/b/scale", ["spec": ["replicas": 2]],
            contentType: "application/merge-patch+json")
        let changed = Set(await api.store.events(since: before).map(\.key.name))
        #expect(!changed.contains("a") && !changed.contains("c"))
        #expect(!changed.contains { $0.hasPrefix("a-") || $0.hasPrefix("c-") }, "\(changed)")
        #expect(
            await api.objects(ResourceCatalog.pods, namespace: "default").filter { $0.name.hasPrefix("b-") }.count == 2)

        // A Pod deleted by hand is replaced: the change reaches its ReplicaSet through the owner index.
        let pod = try #require(
            await api.objects(ResourceCatalog.pods, namespace: "default").first { $0.name.hasPrefix("a-") })
        #expect(try await call(api, "DELETE", "/api/v1/namespaces/default/pods/\(pod.name)").status == 200)
        let pods = await api.objects(ResourceCatalog.pods, namespace: "default").filter { $0.name.hasPrefix("a-") }
        #expect(pods.count == 1)
        #expect(pods.first?.name != pod.name)
    }

    @Test func aRejectedControllerWriteIsRetriedOnTheNextWrite() async throws {
        let transport = RecordingTransport { call, review in
            let kind = review[path: "request", "kind", "kind"]?.stringValue
            let allowed = !(kind == "Pod" && call.url.contains("deny"))
            return RecordingTransport.response(review, allowed: allowed, message: "no pods yet")
        }
        let api = makeAPI(controllers: true, transport: transport)
        var hook = webhookConfiguration(rules: [
            ["apiGroups": [""], "apiVersions": ["v1"], "operations": ["CREATE"], "resources": ["pods"]]
        ])
        hook.set(
            ["webhooks"], .array([hook["webhooks"]?.arrayValue?.first?.withURL("https://127.0.0.1:1/deny") ?? .null]))
        try await api.seed([hook])
        _ = try await call(api, "POST", deploymentsPath, deployment("web"))
        #expect(await api.objects(ResourceCatalog.pods, namespace: "default").isEmpty)
        _ = try await call(
            api, "DELETE", "/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations/crd-hook")
        // An unrelated write: the ReplicaSet whose Pod was refused is reconciled again.
        _ = try await call(
            api, "POST", "/api/v1/namespaces/default/configmaps",
            ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "poke"]])
        #expect(await api.objects(ResourceCatalog.pods, namespace: "default").count == 1)
    }
}

extension JSONValue {
    fileprivate func withURL(_ url: String) -> JSONValue {
        var o = self
        o.set(["clientConfig", "url"], .string(url))
        return o
    }
}
