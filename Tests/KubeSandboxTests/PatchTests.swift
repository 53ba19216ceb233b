import Foundation
import KubeAPIMachinery
import Testing
@testable import KubeSandbox

@Suite("Patches: merge, JSON patch, strategic merge")
struct PatchTests {
    let podSpec: JSONValue = [
        "spec": [
            "containers": [
                [
                    "name": "app", "image": "nginx:1.27", "ports": [["containerPort": 80, "name": "http"]],
                    "env": [["name": "A", "value": "1"], ["name": "B", "value": "2"]],
                ],
                ["name": "sidecar", "image": "envoy:1"],
            ], "volumes": [["name": "data", "emptyDir": .object([:])]],
        ],
        "metadata": ["finalizers": ["a"], "labels": ["x": "1"]],
    ]

    @Test func strategicMergesContainersByNameAndEnvByName() throws {
        let patch: JSONValue = [
            "spec": [
                "containers": [
                    [
                        "name": "app", "image": "nginx:1.28",
                        "env": [["name": "B", "value": "3"], ["name": "C", "value": "4"]],
                    ]
                ]
            ]
        ]
        let out = try StrategicMerge.apply(patch, to: podSpec)
        let containers = try #require(out[path: "spec", "containers"]?.arrayValue)
        #expect(containers.count == 2)
        #expect(containers[0]["image"] == "nginx:1.28")
        #expect(containers[0]["ports"]?.arrayValue?.count == 1)
        #expect(
            containers[0]["env"] == [
                ["name": "A", "value": "1"], ["name": "B", "value": "3"], ["name": "C", "value": "4"],
            ])
        #expect(containers[1]["image"] == "envoy:1")
    }

    @Test func strategicDirectives() throws {
        let delete: JSONValue = [
            "spec": [
                "containers": [["name": "sidecar", "$patch": "delete"]],
                "$setElementOrder/containers": [["name": "app"]],
            ]
        ]
        let out = try StrategicMerge.apply(delete, to: podSpec)
        #expect(out[path: "spec", "containers"]?.arrayValue?.map { $0["name"] } == ["app"])
        let ports: JSONValue = [
            "spec": ["containers": [["name": "app", "ports": [["containerPort": 443, "name": "https"]]]]]
        ]
        let merged = try StrategicMerge.apply(ports, to: podSpec)
        #expect(merged[path: "spec", "containers"]?.arrayValue?.first?["ports"]?.arrayValue?.count == 2)
        let replace: JSONValue = [
            "spec": ["volumes": [["name": "cache", "emptyDir": .object([:])], ["$patch": "replace"]]]
        ]
        #expect(
            try StrategicMerge.apply(replace, to: podSpec)[path: "spec", "volumes"]?.arrayValue?.map { $0["name"] } == [
                "cache"
            ])
        let nullDeletes: JSONValue = [
            "metadata": ["labels": ["x": nil]],
            "spec": [
                "containers": [["name": "app", "image": "x"], ["name": "sidecar", "image": "y"]],
                "$setElementOrder/containers": [["name": "sidecar"], ["name": "app"]],
            ],
        ]
        let reordered = try StrategicMerge.apply(nullDeletes, to: podSpec)
        #expect(reordered[path: "metadata", "labels"] == .object([:]))
        #expect(reordered[path: "spec", "containers"]?.arrayValue?.map { $0["name"] } == ["sidecar", "app"])
        let finalizers = try StrategicMerge.apply(["metadata": ["finalizers": ["b"]]], to: podSpec)
        #expect(finalizers[path: "metadata", "finalizers"] == ["a", "b"])
    }

    @Test func jsonPatchOperations() throws {
        let doc: JSONValue = ["spec": ["replicas": 1, "list": [1, 2]]]
        let patch: JSONValue = [
            ["op": "replace", "path": "/spec/replicas", "value": 3],
            ["op": "add", "path": "/spec/list/-", "value": 3],
            ["op": "add", "path": "/metadata", "value": ["annotations": ["a/b": "c"]]],
            ["op": "copy", "from": "/metadata/annotations/a~1b", "path": "/spec/copied"],
            ["op": "remove", "path": "/spec/list/0"],
            ["op": "test", "path": "/spec/replicas", "value": 3],
        ]
        let out = try JSONPatch.apply(patch, to: doc)
        #expect(
            out == [
                "spec": ["replicas": 3, "list": [2, 3], "copied": "c"], "metadata": ["annotations": ["a/b": "c"]],
            ])
        #expect(throws: KubeAPIError.self) { try JSONPatch.apply([["op": "remove", "path": "/nope"]], to: doc) }
        #expect(throws: KubeAPIError.self) {
            try JSONPatch.apply([["op": "test", "path": "/spec/replicas", "value": 2]], to: doc)
        }
    }

    @Test func patchesThroughTheAPIByContentType() async throws {
        let api = makeAPI()
        _ = try await call(api, "POST", deploymentsPath, deployment("web"))
        let merge = try await call(
            api, "PATCH", deploymentsPath + "/web",
            ["metadata": ["annotations": ["kube-singleton.dev/mode": "at-most-one"]]],
            contentType: "application/merge-patch+json")
        #expect(merge.body[path: "metadata", "annotations", "kube-singleton.dev/mode"] == "at-most-one")
        let json = try await call(
            api, "PATCH", deploymentsPath + "/web", [["op": "replace", "path": "/spec/replicas", "value": 2]],
            contentType: "application/json-patch+json")
        #expect(json.body[path: "spec", "replicas"] == 2)
        #expect(json.body[path: "metadata", "generation"] == 2)
        let strategic = try await call(
            api, "PATCH", deploymentsPath + "/web",
            ["spec": ["template": ["spec": ["containers": [["name": "app", "image": "nginx:1.28"]]]]]],
            contentType: "application/strategic-merge-patch+json")
        let c = strategic.body[path: "spec", "template", "spec", "containers"]?.arrayValue?.first
        #expect(c?["image"] == "nginx:1.28")
        #expect(c?["ports"] != nil)
        let stale = try await call(
            api, "PATCH", deploymentsPath + "/web", ["metadata": ["resourceVersion": "1"], "spec": ["replicas": 4]],
            contentType: "application/merge-patch+json")
        #expect(stale.status == 409)
        let unknown = try await call(api, "PATCH", deploymentsPath + "/web", ["a": 1], contentType: "text/plain")
        #expect(unknown.status == 415)
    }
}
