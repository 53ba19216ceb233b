import Foundation
import KubeAPIMachinery
import Testing
@testable import SingletonCore

@Suite struct ReviewCodecTests {
    /// The full response bytes for a denial: the exact JSON the apiserver receives.
    @Test func goldenDenial() throws {
        var b = ReviewBuilder()
        b.uid = "11111111-2222-3333-4444-555555555555"
        b.object = workload(replicas: 3, mode: "at-least-one")
        b.oldObject = workload(replicas: 1, mode: "at-least-one")
        let body = SingletonPolicy().review(b.json()) { _ in .notFound }.body
        let expected =
            #"{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","response":{"allowed":false,"auditAnnotations":{"mode":"at-least-one","rule":"replicas"},"status":{"code":403,"message":"Deployment default/web is a singleton (kube-singleton.dev/mode=at-least-one) and may run at most 1 replica, but spec.replicas would be 3. Set spec.replicas to 1, or remove the annotation kube-singleton.dev/mode to scale out.","metadata":{},"reason":"Forbidden","status":"Failure"},"uid":"11111111-2222-3333-4444-555555555555"}}"#
        #expect(String(decoding: body, as: UTF8.self) == expected)
    }

    @Test func goldenAllowWithWarning() throws {
        var b = ReviewBuilder()
        b.uid = "aaaa"
        b.operation = "CREATE"
        b.object = workload(replicas: 1, mode: "at-most-one", strategy: ["type": "Recreate"])
        let body = SingletonPolicy().review(b.json()) { _ in .notFound }.body
        let expected =
            #"{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","response":{"allowed":true,"auditAnnotations":{"mode":"at-most-one","rule":"compliant"},"uid":"aaaa","warnings":["at-most-one on a Deployment: a deleted or evicted pod is replaced before it has stopped, so two pods can briefly run; use a StatefulSet for a strict guarantee."]}}"#
        #expect(String(decoding: body, as: UTF8.self) == expected)
    }

    @Test func goldenAllowNotOurs() throws {
        var b = ReviewBuilder()
        b.uid = "bbbb"
        b.object = workload(replicas: 7)
        let body = SingletonPolicy().review(b.json()) { _ in .notFound }.body
        #expect(
            String(decoding: body, as: UTF8.self)
                == #"{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","response":{"allowed":true,"auditAnnotations":{"rule":"not-ours"},"uid":"bbbb"}}"#
        )
    }

    @Test(
        arguments: [
            (
                "{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\",\"request\":{\"uid\":\"u-1\",\"operation\":\"CREATE\",",
                "u-1", "malformed AdmissionReview"
            ),
            ("not json at all", nil, "malformed AdmissionReview"),
            ("{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\"}", nil, "expected kind AdmissionReview, got \"ConfigMap\""),
            (
                "{\"apiVersion\":\"admission.k8s.io/v1beta1\",\"kind\":\"AdmissionReview\",\"request\":{\"uid\":\"u-2\",\"operation\":\"CREATE\"}}",
                "u-2", "admission.k8s.io/v1 only"
            ),
            ("{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\"}", nil, "has no request"),
            (
                "{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\",\"request\":{\"uid\":\"u-3\"}}",
                "u-3", "missing field \"operation\""
            ),
            ("[1,2,3]", nil, "malformed AdmissionReview"),
        ] as [(String, String?, String)])
    func badBodiesGetAWellFormedDenial(body: String, uid: String?, message: String) throws {
        let outcome = SingletonPolicy().review(Data(body.utf8)) { _ in .notFound }
        #expect(outcome.decision == nil)
        #expect(outcome.response.allowed == false, "bad input is never a silent allow")
        #expect(outcome.response.uid == (uid ?? ""))
        #expect(outcome.response.status?.code == 400)
        #expect(outcome.response.status?.message.contains(message) == true, "\(outcome.response.status?.message ?? "")")
        // The answer itself is valid JSON with the AdmissionReview envelope.
        let json = try JSONSerialization.jsonObject(with: outcome.body) as? [String: Any]
        #expect(json?["kind"] as? String == "AdmissionReview")
    }

    /// Refusals before any decision echo `requestUID`: it must name the uid `decodeRequest`
    /// reports, whichever path reads the body (fast, Codable, probe or scan).
    @Test(arguments: [
        "{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\",\"request\":{\"uid\":\"u-1\",\"operation\":\"CREATE\",",
        "not json at all",
        "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\"}",
        "{\"apiVersion\":\"admission.k8s.io/v1beta1\",\"kind\":\"AdmissionReview\",\"request\":{\"uid\":\"u-2\",\"operation\":\"CREATE\"}}",
        "{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\",\"request\":{\"uid\":\"u-3\"}}",
        "{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\",\"request\":{\"uid\":\"u-4\",\"operation\":\"DELETE\"}}",
        "{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\",\"request\":{\"uid\":\"u\\\"5\",\"operation\":\"DELETE\"}}",
        "{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\",\"request\":{\"uid\":6,\"operation\":\"DELETE\"}}",
        "[1,2,3]",
    ])
    func requestUIDIsTheUIDDecodingReports(body: String) {
        let bytes = Array(body.utf8)
        let decoded: String? =
            switch AdmissionReview.decodeRequest(bytes: bytes) {
            case .success(let request): request.uid
            case .failure(let error): error.uid
            }
        #expect(AdmissionReview.requestUID(bytes: bytes) == decoded, "\(body)")
    }

    @Test func objectWithWrongFieldTypeIsAnErrorNotACrash() throws {
        var b = ReviewBuilder()
        var obj = workload(replicas: 1, mode: "at-least-one")
        obj["spec"] = ["replicas": "three"]
        b.object = obj
        let outcome = SingletonPolicy().review(b.json()) { _ in .notFound }
        #expect(!outcome.response.allowed)
        #expect(outcome.response.uid == b.uid)
        #expect(
            outcome.response.status?.message.contains("spec.replicas") == true,
            "\(outcome.response.status?.message ?? "")")
    }

    @Test func deleteIsAllowedWithoutDecodingTheObject() throws {
        // A DELETE whose oldObject is garbage still gets an allow: it is never parsed.
        let body =
            #"{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"d","operation":"DELETE","resource":{"group":"apps","version":"v1","resource":"deployments"},"oldObject":{"spec":{"replicas":"garbage"}}}}"#
        let outcome = SingletonPolicy().review(Data(body.utf8)) { _ in .notFound }
        #expect(outcome.decision == .allow(.notOurs))
    }
}

@Suite struct ContractTests {
    @Test func parsesModesAndLease() {
        #expect(ContractState(annotations: nil) == .absent)
        #expect(ContractState(annotations: ["other": "x"]) == .absent)
        #expect(
            ContractState(annotations: [SingletonAnnotation.mode: "at-most-one"]).spec
                == SingletonSpec(mode: .atMostOne))
        #expect(
            ContractState(annotations: [
                SingletonAnnotation.mode: "at-least-one\n", SingletonAnnotation.lease: "app-leader",
            ]).spec
                == SingletonSpec(mode: .atLeastOne, lease: "app-leader"))
        if case .invalid(let e, let raw) = ContractState(annotations: [SingletonAnnotation.mode: "At-Most-One"]) {
            #expect(raw == "At-Most-One")
            #expect(
                e.description
                    == "unknown value \"At-Most-One\" for annotation kube-singleton.dev/mode; accepted values: at-most-one, at-least-one"
            )
        } else {
            Issue.record("mode values are case-sensitive, as Kubernetes enums are")
        }
    }

    @Test(arguments: [
        ("deploy", WorkloadKind.deployment), ("deployments", .deployment), ("deployment.apps", .deployment),
        ("deployments.v1.apps", .deployment), ("Deployment", .deployment), ("sts", .statefulSet),
        ("statefulsets.apps", .statefulSet), ("rs", .replicaSet), ("replicaset", .replicaSet),
        ("rc", .replicationController),
        ("replicationcontrollers", .replicationController), ("replicationcontroller.v1", .replicationController),
    ])
    func kubectlSpellings(spelling: String, kind: WorkloadKind) {
        #expect(WorkloadKind(spelling: spelling) == kind)
    }

    @Test func unknownSpellingsAndPaths() {
        #expect(WorkloadKind(spelling: "pod") == nil)
        #expect(WorkloadKind(spelling: "deployments.extensions") == nil)
        #expect(
            WorkloadKind.deployment.objectPath(namespace: "ns", name: "web")
                == "/apis/apps/v1/namespaces/ns/deployments/web")
        #expect(WorkloadKind.replicationController.collectionPath(namespace: nil) == "/api/v1/replicationcontrollers")
    }

    /// Admission `resource` to workload kind and subject: the plural and the group must both
    /// match (the long-removed `extensions` Deployments and an `apps` ReplicationController
    /// are not ours), and only the object itself or its `scale` subresource is judged.
    @Test(
        arguments: [
            ("apps", "deployments", "", WorkloadKind?.some(.deployment), AdmissionSubject.workload(.deployment)),
            ("apps", "statefulsets", "scale", .statefulSet, .scale(.statefulSet)),
            ("apps", "replicasets", "", .replicaSet, .workload(.replicaSet)),
            ("", "replicationcontrollers", "scale", .replicationController, .scale(.replicationController)),
            ("apps", "deployments", "status", .deployment, .notOurs),
            ("extensions", "deployments", "", nil, .notOurs),
            ("apps", "replicationcontrollers", "", nil, .notOurs),
            ("", "deployments", "", nil, .notOurs),
            ("apps", "Deployments", "", nil, .notOurs),
            ("", "pods", "", nil, .notOurs),
            ("autoscaling", "horizontalpodautoscalers", "", nil, .horizontalPodAutoscaler),
        ] as [(String, String, String, WorkloadKind?, AdmissionSubject)])
    func subjectFromResource(
        group: String, resource: String, subResource: String, kind: WorkloadKind?, subject: AdmissionSubject
    ) {
        let gvr = GroupVersionResource(group: group, version: "v1", resource: resource)
        #expect(WorkloadKind(resource: gvr) == kind)
        #expect(AdmissionSubject(resource: gvr, subResource: subResource) == subject)
    }

    @Test(
        arguments: [
            (nil, nil, true), ("RollingUpdate", nil, true), ("Recreate", nil, false),
            ("RollingUpdate", IntOrString.int(0), false), ("RollingUpdate", .string("0%"), false),
            ("RollingUpdate", .string("25%"), true), ("RollingUpdate", .string("1%"), true),
            ("RollingUpdate", .int(2), true),
            ("RollingUpdate", .string("bogus"), true), ("RollingUpdate", .string("0"), false),
        ] as [(String?, IntOrString?, Bool)])
    func surge(type: String?, maxSurge: IntOrString?, surges: Bool) {
        let s = DeploymentStrategy(type: type, rollingUpdate: maxSurge.map { .init(maxSurge: $0) })
        #expect(s.surges == surges)
    }

    @Test func selectors() {
        let s = LabelSelector(
            matchLabels: ["app": "web"], matchExpressions: [.init(key: "tier", operator: "In", values: ["a", "b"])])
        #expect(s.asQueryString == "app=web,tier in (a,b)")
        #expect(s.matches(["app": "web", "tier": "a"]))
        #expect(!s.matches(["app": "web", "tier": "c"]))
        #expect(!s.isEqualityOnly)
    }

    @Test func mergePatch() throws {
        let doc: JSONValue = [
            "metadata": ["name": "a", "annotations": ["x": "1", "y": "2"]], "spec": ["replicas": 3, "keep": true],
        ]
        let patched = doc.applyingMergePatch([
            "metadata": ["annotations": ["x": nil, "z": "3"]], "spec": ["replicas": 1],
        ])
        #expect(
            patched == [
                "metadata": ["name": "a", "annotations": ["y": "2", "z": "3"]], "spec": ["replicas": 1, "keep": true],
            ])
        let roundTrip = try JSONValue.parse(patched.serialized())
        #expect(roundTrip == patched)
        #expect(roundTrip[path: "spec", "replicas"]?.intValue == 1)
    }
}
