import Foundation
import Testing
@testable import SingletonCore

/// Every upstream kubernetes/api fixture of a kind we model must decode. HEAD carries every
/// field with placeholder values; v1.33.0 carries random unicode and random numbers.
@Suite(.enabled(if: Fixtures.available, "../shared/fixtures is absent (a user's clone): fixture tests skipped"))
struct FixtureDecodingTests {
    static let versions = ["HEAD", "v1.33.0"]
    static let workloads: [(String, WorkloadKind)] = [
        ("apps.v1.Deployment.json", .deployment), ("apps.v1.StatefulSet.json", .statefulSet),
        ("apps.v1.ReplicaSet.json", .replicaSet), ("core.v1.ReplicationController.json", .replicationController),
    ]

    @Test(arguments: versions)
    func workloadsDecode(version: String) throws {
        for (file, kind) in Self.workloads {
            let raw = try Fixtures.data("k8s-api/\(version)/\(file)")
            let w = try Workload.decode(raw)
            #expect(w.kind == kind, "\(file)")
            let json = try Fixtures.json("k8s-api/\(version)/\(file)")
            let spec = json["spec"] as? [String: Any]
            let meta = json["metadata"] as? [String: Any]
            #expect(w.replicas == spec?["replicas"] as? Int, "\(file)")
            #expect(w.metadata.name == meta?["name"] as? String, "\(file)")
            #expect(w.metadata.uid == meta?["uid"] as? String, "\(file)")
            #expect(w.metadata.annotations == meta?["annotations"] as? [String: String], "\(file)")
            #expect(w.metadata.ownerReferences?.count == (meta?["ownerReferences"] as? [Any])?.count, "\(file)")
            #expect(w.selector != nil, "\(file)")
            #expect(!w.containerPorts.isEmpty, "\(file): template container ports")
            // Decoding as the kind named by the request also works.
            #expect(try Workload.decode(raw, as: kind).metadata == w.metadata)
        }
    }

    @Test(arguments: versions)
    func deploymentStrategyAndRCSelector(version: String) throws {
        let d = try Workload.decode(Fixtures.data("k8s-api/\(version)/apps.v1.Deployment.json"))
        let json = try Fixtures.json("k8s-api/\(version)/apps.v1.Deployment.json")
        let strategy = (json["spec"] as? [String: Any])?["strategy"] as? [String: Any]
        #expect(d.strategy?.type == strategy?["type"] as? String)
        #expect(d.strategy?.rollingUpdate?.maxSurge != nil)
        let rc = try Workload.decode(Fixtures.data("k8s-api/\(version)/core.v1.ReplicationController.json"))
        let rcSelector =
            (try Fixtures.json("k8s-api/\(version)/core.v1.ReplicationController.json")["spec"] as? [String: Any])?[
                "selector"]
        #expect(rc.selector?.matchLabels == rcSelector as? [String: String])
        #expect(rc.selector?.isEqualityOnly == true)
        let sts = try Workload.decode(Fixtures.data("k8s-api/\(version)/apps.v1.StatefulSet.json"))
        #expect(sts.serviceName != nil)
    }

    @Test(arguments: versions)
    func scaleDecodes(version: String) throws {
        let s = try Scale.decode(Fixtures.data("k8s-api/\(version)/autoscaling.v1.Scale.json"))
        let json = try Fixtures.json("k8s-api/\(version)/autoscaling.v1.Scale.json")
        #expect(s.spec.replicas == (json["spec"] as? [String: Any])?["replicas"] as? Int)
        #expect(s.status?.selector == (json["status"] as? [String: Any])?["selector"] as? String)
        #expect(s.metadata.uid == (json["metadata"] as? [String: Any])?["uid"] as? String)
    }

    @Test(arguments: [
        "HEAD/autoscaling.v1.HorizontalPodAutoscaler.json", "HEAD/autoscaling.v2.HorizontalPodAutoscaler.json",
        "v1.33.0/autoscaling.v1.HorizontalPodAutoscaler.json", "v1.33.0/autoscaling.v2.HorizontalPodAutoscaler.json",
    ])
    func hpaDecodes(file: String) throws {
        let h = try HorizontalPodAutoscaler.decode(Fixtures.data("k8s-api/\(file)"))
        let spec = try Fixtures.json("k8s-api/\(file)")["spec"] as? [String: Any]
        #expect(h.spec.maxReplicas == spec?["maxReplicas"] as? Int)
        #expect(h.spec.scaleTargetRef.name == (spec?["scaleTargetRef"] as? [String: Any])?["name"] as? String)
    }

    /// The upstream AdmissionReview fixture embeds a CustomType object and a placeholder
    /// operation: it must decode and be allowed as not ours, not crash or be denied.
    @Test(arguments: versions)
    func upstreamAdmissionReviewIsNotOurs(version: String) throws {
        let outcome = SingletonPolicy().review(
            try Fixtures.data("k8s-api/\(version)/admission.k8s.io.v1.AdmissionReview.json")
        ) { _ in .notFound }
        let decision = try #require(outcome.decision, "\(outcome.decodeError?.message ?? "")")
        #expect(decision.allowed)
        #expect(decision.rule == .notOurs)
        let uid =
            (try Fixtures.json("k8s-api/\(version)/admission.k8s.io.v1.AdmissionReview.json")["request"]
            as? [String: Any])?["uid"] as? String
        #expect(outcome.response.uid == uid)
    }
}

/// Public AdmissionReviews captured from clusters or published as examples.
@Suite(.enabled(if: Fixtures.available, "../shared/fixtures is absent (a user's clone): fixture tests skipped"))
struct PublicAdmissionTests {
    static let wrapped = [
        "deployment-create-accept.kubewarden-echo.review.json",
        "deployment-create-replicas3.kubewarden-cel.review.json",
        "deployment-create-replicas51.kubewarden-cel.review.json",
        "deployment-update-accept.kubewarden-echo.review.json",
        "deployment-update-reject.kubewarden-echo.review.json",
    ]

    /// As captured (no singleton annotation), every request is allowed as not ours.
    @Test(arguments: wrapped)
    func unannotatedCapturesAreNotOurs(file: String) throws {
        let outcome = SingletonPolicy().review(try Fixtures.data("public/admission/wrapped/\(file)")) { _ in .notFound }
        #expect(outcome.decision?.rule == .notOurs, "\(outcome.decodeError?.message ?? "")")
        #expect(outcome.response.allowed)
    }

    /// The same captures with the annotation added to `object` are judged by replicas.
    @Test(arguments: [
        ("deployment-create-accept.kubewarden-echo.request.json", true),
        ("deployment-create-replicas3.kubewarden-cel.request.json", false),
        ("deployment-create-replicas51.kubewarden-cel.request.json", false),
        ("deployment-update-accept.kubewarden-echo.request.json", true),
    ])
    func annotatedCapturesAreJudged(file: String, allowed: Bool) throws {
        var request = try Fixtures.json("public/admission/\(file)")
        var object = try #require(request["object"] as? [String: Any])
        var meta = object["metadata"] as? [String: Any] ?? [:]
        var annotations = meta["annotations"] as? [String: Any] ?? [:]
        annotations[SingletonAnnotation.mode] = "at-least-one"
        meta["annotations"] = annotations
        object["metadata"] = meta
        request["object"] = object
        if request["uid"] == nil { request["uid"] = "test-uid" }
        let outcome = SingletonPolicy().review(try Fixtures.wrap(request)) { _ in .notFound }
        let decision = try #require(outcome.decision, "\(outcome.decodeError?.message ?? "")")
        #expect(decision.allowed == allowed, "\(decision)")
        if !allowed {
            let replicas = (object["spec"] as? [String: Any])?["replicas"] as? Int ?? -1
            #expect(decision.message?.contains("spec.replicas is \(replicas)") == true, "\(decision.message ?? "")")
        }
    }

    @Test func sparseStatefulSetCreateDecodes() throws {
        var request = try Fixtures.json("public/admission/statefulset-create.kubewarden-pod-privileged.request.json")
        let outcome = SingletonPolicy().review(try Fixtures.wrap(request)) { _ in .notFound }
        #expect(outcome.decision?.rule == .notOurs)
        // With the annotation and no spec.replicas (defaulted to 1): compliant.
        var object = try #require(request["object"] as? [String: Any])
        object["metadata"] = ["name": "nginx", "annotations": [SingletonAnnotation.mode: "at-most-one"]]
        request["object"] = object
        let judged = SingletonPolicy().review(try Fixtures.wrap(request)) { _ in .notFound }
        #expect(judged.decision?.rule == .compliant)
        #expect(judged.response.uid == "1299d386-525b-4032-98ae-1949f69f9cfc")
    }

    /// The docs' scale example has Scale objects without spec.replicas: a scale to 0,
    /// allowed without any parent lookup.
    @Test func docsScaleReviewIsAScaleToZero() throws {
        let body = try Fixtures.data("public/admission/scale-update.k8s-docs.review.json")
        let request = try AdmissionReview.decodeRequest(body).get()
        #expect(request.subject == .scale(.deployment))
        #expect(SingletonPolicy().parentReference(for: request) == nil)
        let outcome = SingletonPolicy().review(body) { _ in
            Issue.record("no lookup expected"); return .notFound
        }
        #expect(outcome.response.allowed)
        #expect(outcome.response.uid == "705ab4f5-6393-11e8-b7cc-42010a800002")
    }

    @Test func kubewardenScaleRequestDecodes() throws {
        let request = try Fixtures.json("public/admission/scale-update.kubewarden-policy-evaluator.request.json")
        let outcome = SingletonPolicy().review(try Fixtures.wrap(request)) { _ in .notFound }
        #expect(outcome.response.allowed)
        #expect(outcome.response.uid == "hello")
    }

    @Test func kubeReviewDryRunCreateDecodes() throws {
        let outcome = SingletonPolicy().review(
            try Fixtures.data("public/admission/deployment-create-dryrun.kube-review.review.json")
        ) { _ in .notFound }
        #expect(outcome.decision != nil, "\(outcome.decodeError?.message ?? "")")
        #expect(outcome.request?.dryRun == true)
    }
}
