import Foundation
import KubeAPIMachinery
import Testing
@testable import KubeSandbox

let rolloutsPath = "/apis/argoproj.io/v1alpha1/namespaces/default/rollouts"

func rollout(_ name: String, replicas: Int = 1) -> JSONValue {
    [
        "apiVersion": "argoproj.io/v1alpha1", "kind": "Rollout",
        "metadata": ["name": .string(name), "annotations": ["kube-singleton.dev/mode": "at-most-one"]],
        "spec": [
            "replicas": .int(Int64(replicas)), "selector": ["matchLabels": ["app": .string(name)]],
            "strategy": ["canary": ["maxSurge": 0]],
        ],
    ]
}

@Suite("CustomResourceDefinitions: Argo Rollouts and KEDA served as in a cluster")
struct CustomResourceTests {
    @Test func kindsAreAbsentUntilTheirCRDIsApplied() async throws {
        let api = makeAPI()
        #expect(try await call(api, "GET", rolloutsPath).status == 404)
        let groups = try await call(api, "GET", "/apis").body["groups"]?.arrayValue ?? []
        #expect(!groups.contains { $0["name"] == "argoproj.io" })
        #expect(try await call(api, "GET", "/apis/argoproj.io/v1alpha1").status == 404)

        let crd = try await call(
            api, "POST", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions", CustomResources.argoRollouts)
        #expect(crd.status == 201, "\(crd.body)")
        let established = crd.body[path: "status", "conditions"]?.arrayValue?.first { $0["type"] == "Established" }
        #expect(established?["status"] == "True")

        let list = try await call(api, "GET", "/apis/argoproj.io/v1alpha1")
        let resources = list.body["resources"]?.arrayValue ?? []
        let main = resources.first { $0["name"] == "rollouts" }
        #expect(main?["kind"] == "Rollout")
        #expect(main?["namespaced"] == true)
        #expect(main?["shortNames"] == ["ro"])
        let scale = resources.first { $0["name"] == "rollouts/scale" }
        #expect(scale?["group"] == "autoscaling" && scale?["kind"] == "Scale" && scale?["version"] == "v1")
        #expect(resources.contains { $0["name"] == "rollouts/status" })
        #expect(
            try await call(api, "GET", "/apis").body["groups"]?.arrayValue?.contains { $0["name"] == "argoproj.io" }
                == true)

        let created = try await call(api, "POST", rolloutsPath, rollout("web"))
        #expect(created.status == 201, "\(created.body)")
        #expect(created.body["kind"] == "Rollout")
        #expect(created.body[path: "metadata", "uid"] != nil)
    }

    @Test func scaleSubresourceFollowsTheCRDPaths() async throws {
        let api = makeAPI()
        try await api.seed([CustomResources.argoRollouts])
        var r = rollout("web", replicas: 2)
        r["status"] = ["HPAReplicas": 2, "selector": "app=web"]
        try await api.seed([r])
        let scale = try await call(api, "GET", rolloutsPath + "/web/scale")
        #expect(scale.body["kind"] == "Scale" && scale.body["apiVersion"] == "autoscaling/v1")
        #expect(scale.body[path: "spec", "replicas"] == 2)
        #expect(scale.body[path: "status", "replicas"] == 2)
        #expect(scale.body[path: "status", "selector"] == "app=web")

        let patched = try await call(
            api, "PATCH", rolloutsPath + "/web/scale", ["spec": ["replicas": 5]],
            contentType: "application/merge-patch+json")
        #expect(patched.status == 200, "\(patched.body)")
        #expect(patched.body[path: "spec", "replicas"] == 5)
        let stored = try await call(api, "GET", rolloutsPath + "/web")
        #expect(stored.body[path: "spec", "replicas"] == 5)
        #expect(stored.body[path: "metadata", "generation"] == 2)
    }

    @Test func webhooksMatchingCustomResourcesAreCalledWithTheirKinds() async throws {
        let transport = RecordingTransport { _, review in
            let replicas = review[path: "request", "object", "spec", "replicas"]?.intValue ?? 0
            return RecordingTransport.response(review, allowed: replicas <= 1, message: "too many", code: 403)
        }
        let api = makeAPI(transport: transport)
        try await api.seed(
            [CustomResources.argoRollouts, CustomResources.kedaScaledObjects, rollout("web")]
                + [
                    webhookConfiguration(rules: [
                        [
                            "apiGroups": ["argoproj.io"], "apiVersions": ["v1alpha1"],
                            "operations": ["CREATE", "UPDATE"],
                            "resources": ["rollouts", "rollouts/scale"],
                        ],
                        [
                            "apiGroups": ["keda.sh"], "apiVersions": ["v1alpha1"], "operations": ["CREATE", "UPDATE"],
                            "resources": ["scaledobjects"],
                        ],
                    ])
                ])
        let denied = try await call(
            api, "PATCH", rolloutsPath + "/web/scale", ["spec": ["replicas": 3]],
            contentType: "application/merge-patch+json")
        #expect(denied.status == 403)
        #expect(denied.message.contains("denied the request: too many"))
        let review = try JSONValue.parse(try #require(transport.calls.last).body)
        #expect(review[path: "request", "kind"] == ["group": "autoscaling", "version": "v1", "kind": "Scale"])
        #expect(
            review[path: "request", "resource"]
                == ["group": "argoproj.io", "version": "v1alpha1", "resource": "rollouts"])
        #expect(review[path: "request", "subResource"] == "scale")
        #expect(review[path: "request", "oldObject", "spec", "replicas"] == 1)

        let so: JSONValue = [
            "apiVersion": "keda.sh/v1alpha1", "kind": "ScaledObject", "metadata": ["name": "web"],
            "spec": ["scaleTargetRef": ["name": "web"]],
        ]
        #expect(
            try await call(api, "POST", "/apis/keda.sh/v1alpha1/namespaces/default/scaledobjects", so).status == 201)
        let soReview = try JSONValue.parse(try #require(transport.calls.last).body)
        #expect(
            soReview[path: "request", "kind"] == ["group": "keda.sh", "version": "v1alpha1", "kind": "ScaledObject"])
        #expect(soReview[path: "request", "operation"] == "CREATE")
    }

    @Test func deletingTheCRDDeletesItsObjectsAndStopsServingIt() async throws {
        let api = makeAPI()
        try await api.seed([CustomResources.argoRollouts, rollout("a"), rollout("b")])
        #expect(try await call(api, "GET", rolloutsPath).body["items"]?.arrayValue?.count == 2)
        let watchFrom = await api.revision
        let gone = try await call(
            api, "DELETE", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/rollouts.argoproj.io")
        #expect(gone.status == 200)
        #expect(try await call(api, "GET", rolloutsPath).status == 404)
        let deleted = await api.store.events(since: watchFrom).filter {
            $0.kind == .deleted && $0.key.storage == "argoproj.io/rollouts"
        }
        #expect(deleted.map(\.key.name).sorted() == ["a", "b"])
        // Applied again, the kind is served empty.
        try await api.seed([CustomResources.argoRollouts])
        #expect(try await call(api, "GET", rolloutsPath).body["items"]?.arrayValue?.isEmpty == true)
    }

    @Test func invalidDefinitionsAreRefused() async throws {
        let api = makeAPI()
        var wrongName = CustomResources.argoRollouts
        wrongName.set(["metadata", "name"], "rollouts")
        var r = try await call(api, "POST", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions", wrongName)
        #expect(r.status == 422)
        #expect(r.message.contains("must be spec.names.plural+\".\"+spec.group"))
        var builtin = CustomResources.definition(
            group: "apps", version: "v1", plural: "deployments", kind: "Deployment", shortNames: [], scale: nil)
        builtin.set(["metadata", "name"], "deployments.apps")
        r = try await call(api, "POST", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions", builtin)
        #expect(r.status == 422)
    }
}

func webhookConfiguration(rules: [JSONValue]) -> JSONValue {
    [
        "apiVersion": "admissionregistration.k8s.io/v1", "kind": "ValidatingWebhookConfiguration",
        "metadata": ["name": "crd-hook"],
        "webhooks": [
            [
                "name": "crd.example.com", "admissionReviewVersions": ["v1"], "sideEffects": "None",
                "failurePolicy": "Fail", "clientConfig": ["url": "https://127.0.0.1:1/validate"],
                "rules": .array(rules),
            ]
        ],
    ]
}
