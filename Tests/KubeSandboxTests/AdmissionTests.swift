import Foundation
import KubeAPIMachinery
import Testing
@testable import KubeSandbox

func webhookConfig(
    _ name: String, resources: [String] = ["deployments", "deployments/scale"],
    operations: [String] = ["CREATE", "UPDATE"],
    failurePolicy: String = "Fail", matchConditions: [JSONValue] = [], objectSelector: JSONValue? = nil,
    namespaceSelector: JSONValue? = nil, sideEffects: String = "None", url: String = "https://127.0.0.1:1/validate"
) -> JSONValue {
    var hook: [String: JSONValue] = [
        "name": .string(name), "admissionReviewVersions": ["v1"], "sideEffects": .string(sideEffects),
        "failurePolicy": .string(failurePolicy), "timeoutSeconds": 2,
        "clientConfig": ["url": .string(url)],
        "rules": [
            [
                "apiGroups": ["apps"], "apiVersions": ["v1"], "operations": .array(operations.map { .string($0) }),
                "resources": .array(resources.map { .string($0) }),
            ]
        ],
    ]
    if !matchConditions.isEmpty { hook["matchConditions"] = .array(matchConditions) }
    if let objectSelector { hook["objectSelector"] = objectSelector }
    if let namespaceSelector { hook["namespaceSelector"] = namespaceSelector }
    return [
        "apiVersion": "admissionregistration.k8s.io/v1", "kind": "ValidatingWebhookConfiguration",
        "metadata": ["name": .string(name)], "webhooks": [.object(hook)],
    ]
}

let vwcPath = "/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations"

@Suite("Admission: rules, review, denial, warnings, failure policy")
struct AdmissionTests {
    @Test func scaleRequestsCarryAScaleReviewAndDenialsBecomeTheWebhooksStatus() async throws {
        let transport = RecordingTransport { _, review in
            let replicas = review[path: "request", "object", "spec", "replicas"]?.intValue ?? 0
            if review[path: "request", "subResource"] == "scale", replicas > 1 {
                return RecordingTransport.response(
                    review, allowed: false, message: "singleton: at most 1 replica", code: 403)
            }
            return RecordingTransport.response(review, allowed: true, warnings: replicas == 0 ? ["scaled to zero"] : [])
        }
        let api = makeAPI(transport: transport)
        _ = try await call(api, "POST", vwcPath, webhookConfig("singleton.kube-singleton.dev"))
        _ = try await call(
            api, "POST", deploymentsPath, deployment("web", annotations: ["kube-singleton.dev/mode": "at-most-one"]))
        let denied = try await call(
            api, "PATCH", deploymentsPath + "/web/scale", ["spec": ["replicas": 3]],
            contentType: "application/merge-patch+json")
        #expect(denied.status == 403)
        #expect(
            denied.message
                == "admission webhook \"singleton.kube-singleton.dev\" denied the request: singleton: at most 1 replica"
        )
        let review = try JSONValue.parse(try #require(transport.calls.last).body)
        let req = try #require(review["request"])
        #expect(review["apiVersion"] == "admission.k8s.io/v1")
        #expect(req["kind"] == ["group": "autoscaling", "version": "v1", "kind": "Scale"])
        #expect(req["resource"] == ["group": "apps", "version": "v1", "resource": "deployments"])
        #expect(req["subResource"] == "scale")
        #expect(req["operation"] == "UPDATE")
        #expect(req["userInfo"]?["username"] == "sandbox-admin")
        #expect(req[path: "object", "metadata", "annotations"] == nil)
        #expect(req[path: "object", "metadata", "uid"] == req[path: "oldObject", "metadata", "uid"])
        #expect(req[path: "options", "kind"] == "UpdateOptions")
        #expect(transport.calls.last?.url == "https://127.0.0.1:1/validate?timeout=2s")
        let zero = try await call(
            api, "PATCH", deploymentsPath + "/web/scale", ["spec": ["replicas": 0]],
            contentType: "application/merge-patch+json")
        #expect(zero.status == 200)
        #expect(zero.body["spec"] == .object([:]))
        #expect(zero.warnings == ["299 - \"scaled to zero\""])
        let zeroReview = try JSONValue.parse(try #require(transport.calls.last).body)
        #expect(zeroReview[path: "request", "object", "spec", "replicas"] == nil)
    }

    @Test func denialWithoutCodeIs400AndWithoutMessageIsExplained() {
        #expect(AdmissionDispatcher.denial("w", nil).code == 400)
        #expect(
            AdmissionDispatcher.denial("w", nil).message
                == "admission webhook \"w\" denied the request without explanation")
        #expect(AdmissionDispatcher.denial("w", ["code": 422, "message": "no"]).code == 422)
    }

    @Test func failurePolicyDecidesWhenTheWebhookIsDown() async throws {
        struct Down: WebhookTransport {
            func post(_ call: WebhookCall) async throws -> Data {
                throw WebhookCallError("Post \"\(call.url)\": dial tcp 127.0.0.1:1: connect: connection refused")
            }
        }
        let api = makeAPI(transport: Down())
        _ = try await call(api, "POST", vwcPath, webhookConfig("strict.example.com"))
        let failed = try await call(api, "POST", deploymentsPath, deployment("web"))
        #expect(failed.status == 500)
        #expect(
            failed.message.hasPrefix(
                "Internal error occurred: failed calling webhook \"strict.example.com\": failed to call webhook: Post \"https://127.0.0.1:1/validate?timeout=2s\""
            ))
        _ = try await call(api, "DELETE", vwcPath + "/strict.example.com")
        _ = try await call(api, "POST", vwcPath, webhookConfig("lenient.example.com", failurePolicy: "Ignore"))
        let passed = try await call(api, "POST", deploymentsPath, deployment("web"))
        #expect(passed.status == 201)
    }

    @Test func matchConditionsSelectorsAndSideEffects() async throws {
        let transport = RecordingTransport { _, review in
            RecordingTransport.response(review, allowed: false, message: "no")
        }
        let api = makeAPI(transport: transport)
        let condition: JSONValue = [
            "name": "annotated",
            "expression":
                "has(object.metadata.annotations) && 'kube-singleton.dev/mode' in object.metadata.annotations",
        ]
        _ = try await call(
            api, "POST", vwcPath,
            webhookConfig(
                "cel.example.com", matchConditions: [condition],
                namespaceSelector: [
                    "matchExpressions": [
                        ["key": "kubernetes.io/metadata.name", "operator": "NotIn", "values": ["kube-system"]]
                    ]
                ]))
        #expect(try await call(api, "POST", deploymentsPath, deployment("plain")).status == 201)
        #expect(
            try await call(
                api, "POST", deploymentsPath,
                deployment("marked", annotations: ["kube-singleton.dev/mode": "at-most-one"])
            ).status == 400)
        #expect(
            try await call(
                api, "POST", "/apis/apps/v1/namespaces/kube-system/deployments",
                deployment("marked", annotations: ["kube-singleton.dev/mode": "at-most-one"], namespace: "kube-system")
            ).status == 201)
        #expect(transport.calls.count == 1)
        _ = try await call(api, "DELETE", vwcPath + "/cel.example.com")
        _ = try await call(api, "POST", vwcPath, webhookConfig("effects.example.com", sideEffects: "Unknown"))
        let dry = try await call(api, "POST", deploymentsPath, deployment("x"), query: ["dryRun": "All"])
        #expect(dry.status == 400)
        #expect(dry.message == "admission webhook \"effects.example.com\" does not support dry run")
    }

    @Test func unsupportedExpressionIsRefusedWhenTheConfigurationIsWritten() async throws {
        let transport = RecordingTransport { _, review in RecordingTransport.response(review, allowed: true) }
        let api = makeAPI(transport: transport)
        let condition: JSONValue = ["name": "fancy", "expression": "object.metadata.name.startsWith('a')"]
        let refused = try await call(
            api, "POST", vwcPath, webhookConfig("fancy.example.com", matchConditions: [condition]))
        #expect(refused.status == 422)
        #expect(refused.message.contains("unsupported function 'startsWith'"), "\(refused.message)")
        #expect(try await call(api, "POST", deploymentsPath, deployment("abc")).status == 201)
        #expect(transport.calls.isEmpty)
    }

    @Test func aRuntimeErrorOfAConditionIsAnErrorNeverTrue() async throws {
        let transport = RecordingTransport { _, review in RecordingTransport.response(review, allowed: true) }
        let api = makeAPI(transport: transport)
        let condition: JSONValue = ["name": "missing", "expression": "object.spec.missing > 1"]
        _ = try await call(api, "POST", vwcPath, webhookConfig("missing.example.com", matchConditions: [condition]))
        let r = try await call(api, "POST", deploymentsPath, deployment("abc"))
        #expect(r.status == 500)
        #expect(r.message.contains("failed to evaluate match condition \"missing\""), "\(r.message)")
        #expect(transport.calls.isEmpty)
    }

    @Test func ruleMatchingOfSubresourcesAndWildcards() {
        #expect(WebhookMatching.resourceMatches("*", "deployments", ""))
        #expect(!WebhookMatching.resourceMatches("*", "deployments", "scale"))
        #expect(WebhookMatching.resourceMatches("*/*", "deployments", "scale"))
        #expect(WebhookMatching.resourceMatches("*/scale", "statefulsets", "scale"))
        #expect(WebhookMatching.resourceMatches("deployments/*", "deployments", "status"))
        #expect(!WebhookMatching.resourceMatches("deployments", "deployments", "scale"))
    }

    @Test func serviceReferencesAreRoutedThroughServiceEndpoints() async throws {
        let transport = RecordingTransport { _, review in RecordingTransport.response(review, allowed: true) }
        let api = SandboxAPI(
            dispatcher: AdmissionDispatcher(
                transport: transport, serviceEndpoints: ["singleton-system/singleton-webhook": "https://127.0.0.1:8443"]
            ),
            controllersEnabled: false)
        var config = webhookConfig("svc.example.com")
        config.set(
            ["webhooks"],
            [
                [
                    "name": "svc.example.com", "sideEffects": "None", "admissionReviewVersions": ["v1"],
                    "clientConfig": [
                        "service": [
                            "namespace": "singleton-system", "name": "singleton-webhook", "path": "/validate",
                            "port": 443,
                        ]
                    ],
                    "rules": [["apiGroups": ["apps"], "apiVersions": ["v1"], "operations": ["*"], "resources": ["*"]]],
                ]
            ])
        _ = try await call(api, "POST", vwcPath, config)
        #expect(try await call(api, "POST", deploymentsPath, deployment("web")).status == 201)
        #expect(transport.calls.map(\.url) == ["https://127.0.0.1:8443/validate?timeout=10s"])
        #expect(transport.calls.first?.serverName == "singleton-webhook.singleton-system.svc")
        let deleted = try await call(api, "DELETE", deploymentsPath + "/web")
        #expect(deleted.status == 200)
        let review = try JSONValue.parse(try #require(transport.calls.last).body)
        #expect(review[path: "request", "operation"] == "DELETE")
        #expect(review[path: "request", "object"] == .null)
        #expect(review[path: "request", "oldObject", "metadata", "name"] == "web")
        #expect(review[path: "request", "options", "kind"] == "DeleteOptions")
    }

    @Test func controllerWritesGoThroughAdmission() async throws {
        let transport = RecordingTransport { _, review in
            let isRS = review[path: "request", "resource", "resource"] == "replicasets"
            return RecordingTransport.response(
                review, allowed: !isRS || review[path: "request", "object", "metadata", "annotations", "deny"] == nil,
                message: "replicasets are denied")
        }
        let api = makeAPI(controllers: true, transport: transport)
        _ = try await call(api, "POST", vwcPath, webhookConfig("rs.example.com", resources: ["replicasets"]))
        _ = try await call(
            api, "POST", deploymentsPath, deployment("web", annotations: ["kube-singleton.dev/mode": "at-least-one"]))
        let review = try JSONValue.parse(try #require(transport.calls.first).body)
        #expect(review[path: "request", "operation"] == "CREATE")
        #expect(
            review[path: "request", "userInfo", "username"] == "system:serviceaccount:kube-system:deployment-controller"
        )
        #expect(
            review[path: "request", "object", "metadata", "annotations", "kube-singleton.dev/mode"] == "at-least-one")
        #expect(
            review[path: "request", "object", "metadata", "ownerReferences"]?.arrayValue?.first?["kind"] == "Deployment"
        )
        #expect(try await call(api, "GET", "/api/v1/namespaces/default/pods").body["items"]?.arrayValue?.count == 1)

        _ = try await call(api, "POST", deploymentsPath, deployment("blocked", annotations: ["deny": "yes"]))
        let rs =
            try await call(api, "GET", "/apis/apps/v1/namespaces/default/replicasets").body["items"]?.arrayValue ?? []
        #expect(rs.map(\.name).allSatisfy { !$0.hasPrefix("blocked-") }, "a denied ReplicaSet is not created")
        let blocked = try await call(api, "GET", deploymentsPath + "/blocked")
        #expect(blocked.status == 200, "the Deployment itself was admitted")
        _ = try await call(
            api, "PATCH", deploymentsPath + "/web/scale", ["spec": ["replicas": 2]],
            contentType: "application/merge-patch+json")
        let pods = try await call(api, "GET", "/api/v1/namespaces/default/pods").body["items"]?.arrayValue ?? []
        #expect(pods.filter { $0.name.hasPrefix("web-") }.count == 2, "one stuck workload does not stop the others")
        #expect(pods.allSatisfy { !$0.name.hasPrefix("blocked-") })
    }
}
