import Foundation
import KubeAPIMachinery
import Testing
@testable import KubeSandbox

/// Reads watch lines from a stream until `count` events arrived.
func events(_ response: APIResponse, count: Int) async throws -> [JSONValue] {
    guard case .stream(let stream) = response.body else { Issue.record("not a stream"); return [] }
    var out: [JSONValue] = []
    for await chunk in stream {
        for line in chunk.split(separator: 0x0A) { out.append(try JSONValue.parse(Data(line))) }
        if out.count >= count { break }
    }
    return out
}

@Suite("Watch: events, resume, 410, bookmarks")
struct WatchTests {
    func watch(_ api: SandboxAPI, _ query: [String: String]) async -> APIResponse {
        var q = query
        q["watch"] = "true"
        return await api.handle(APIRequest(method: "GET", path: deploymentsPath, query: q, user: admin))
    }

    @Test func resumeReplaysChangesAfterTheGivenVersion() async throws {
        let api = makeAPI()
        let a = try await call(api, "POST", deploymentsPath, deployment("a"))
        _ = try await call(api, "POST", deploymentsPath, deployment("b"))
        _ = try await call(
            api, "PATCH", deploymentsPath + "/a", ["spec": ["replicas": 3]], contentType: "application/merge-patch+json"
        )
        _ = try await call(api, "DELETE", deploymentsPath + "/b")
        let r = await watch(api, ["resourceVersion": a.body.resourceVersion])
        let got = try await events(r, count: 3)
        #expect(got.map { $0["type"]?.stringValue ?? "" } == ["ADDED", "MODIFIED", "DELETED"])
        #expect(got.map { $0["object"]?.name ?? "" } == ["b", "a", "b"])
        #expect(got[1][path: "object", "spec", "replicas"] == 3)
    }

    @Test func liveEventsAndInitialState() async throws {
        let api = makeAPI()
        _ = try await call(api, "POST", deploymentsPath, deployment("a"))
        let r = await watch(api, [:])
        _ = try await call(api, "POST", deploymentsPath, deployment("b"))
        let got = try await events(r, count: 2)
        #expect(got.map { $0["type"]?.stringValue ?? "" } == ["ADDED", "ADDED"])
        #expect(got.map { $0["object"]?.name ?? "" } == ["a", "b"])
    }

    @Test func tooOldVersionIsGone() async throws {
        let api = makeAPI(eventCapacity: 2)
        for n in ["a", "b", "c", "d"] { _ = try await call(api, "POST", deploymentsPath, deployment(n)) }
        let r = await watch(api, ["resourceVersion": "2"])
        let got = try await events(r, count: 1)
        #expect(got.first?["type"] == "ERROR")
        #expect(got.first?[path: "object", "code"] == 410)
        #expect(got.first?[path: "object", "reason"] == "Expired")
    }

    @Test func partialMetadataWatchAndInitialEventsBookmark() async throws {
        let api = makeAPI()
        _ = try await call(api, "POST", deploymentsPath, deployment("a"))
        let r = await api.handle(
            APIRequest(
                method: "GET", path: deploymentsPath,
                query: [
                    "watch": "true", "allowWatchBookmarks": "true", "sendInitialEvents": "true", "resourceVersion": "",
                ],
                headers: ["Accept": "application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1"], user: admin))
        let got = try await events(r, count: 2)
        #expect(got[0][path: "object", "kind"] == "PartialObjectMetadata")
        #expect(got[0][path: "object", "spec"] == nil)
        #expect(got[1]["type"] == "BOOKMARK")
        #expect(got[1][path: "object", "metadata", "annotations", "k8s.io/initial-events-end"] == "true")
    }

    @Test func selectorTransitionsBecomeAddedAndDeleted() async throws {
        let api = makeAPI()
        _ = try await call(api, "POST", deploymentsPath, deployment("a"))
        let r = await watch(api, ["labelSelector": "tier=front", "resourceVersion": String(await api.revision)])
        let patch = { (tier: JSONValue) in
            try await call(
                api, "PATCH", deploymentsPath + "/a", ["metadata": ["labels": ["tier": tier]]],
                contentType: "application/merge-patch+json")
        }
        _ = try await patch("front")
        _ = try await patch("back")
        _ = try await patch("front")
        let got = try await events(r, count: 3)
        #expect(got.map { $0["type"]?.stringValue ?? "" } == ["ADDED", "DELETED", "ADDED"])
    }
}
