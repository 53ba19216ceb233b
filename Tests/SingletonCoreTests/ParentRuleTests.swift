import Foundation
import Testing
@testable import SingletonCore

private func scaleReview(
    resource: String = "deployments", group: String = "apps", old: Int?, new: Int?, uid: String = "uid-web"
) -> ReviewBuilder {
    var b = ReviewBuilder()
    b.group = group
    b.resource = resource
    b.kind = "Scale"
    b.subResource = "scale"
    b.operation = "UPDATE"
    b.object = scaleObject(replicas: new, uid: uid)
    b.oldObject = scaleObject(replicas: old, uid: uid)
    return b
}

private func hpaReview(_ hpa: [String: Any], old: [String: Any]? = nil) -> ReviewBuilder {
    var b = ReviewBuilder()
    b.group = "autoscaling"
    b.version = "v2"
    b.resource = "horizontalpodautoscalers"
    b.kind = "HorizontalPodAutoscaler"
    b.name = "web-hpa"
    b.operation = old == nil ? "CREATE" : "UPDATE"
    b.object = hpa
    b.oldObject = old
    return b
}

@Suite struct ScaleRuleTests {
    @Test func scaleToZeroWithoutReplicasFieldNeedsNoParent() throws {
        let r = try scaleReview(old: 1, new: nil).request()
        guard case .scale(let s)? = r.object else { Issue.record("not decoded as Scale"); return }
        #expect(s.spec.replicas == nil)
        #expect(s.desiredReplicas == 0)
        #expect(SingletonPolicy().parentReference(for: r) == nil)
        let d = SingletonPolicy().decide(r)
        #expect(d.allowed && d.rule == .compliant)
    }

    @Test func scaleToOneNeedsNoParent() throws {
        let r = try scaleReview(old: 3, new: 1).request()
        #expect(SingletonPolicy().parentReference(for: r) == nil)
        #expect(SingletonPolicy().decide(r).allowed)
    }

    @Test func scaleUpAsksForTheParentWithTheScaleUID() throws {
        let r = try scaleReview(resource: "statefulsets", old: 1, new: 3, uid: "u-1").request()
        let ref = try #require(SingletonPolicy().parentReference(for: r))
        #expect(ref == ParentReference(kind: .statefulSet, namespace: "default", name: "web", expectedUID: "u-1"))
    }

    @Test(arguments: [
        ("deployments", WorkloadKind.deployment), ("statefulsets", .statefulSet), ("replicasets", .replicaSet),
    ])
    func scaleUpOfASingletonIsDenied(resource: String, kind: WorkloadKind) throws {
        let r = try scaleReview(resource: resource, old: 1, new: 3).request()
        let d = SingletonPolicy().decide(r, parent: .found(parentMeta(mode: "at-least-one")))
        #expect(!d.allowed)
        #expect(d.rule == .replicas)
        #expect(d.code == 403)
        #expect(
            d.message?.contains("\(kind.rawValue) default/web is a singleton (kube-singleton.dev/mode=at-least-one)")
                == true)
        #expect(d.message?.contains("scaling to 3 replicas is denied") == true)
    }

    @Test func replicationControllerScaleIsJudgedToo() throws {
        let r = try scaleReview(resource: "replicationcontrollers", group: "", old: 1, new: 2).request()
        #expect(SingletonPolicy().parentReference(for: r)?.kind == .replicationController)
        #expect(!SingletonPolicy().decide(r, parent: .found(parentMeta(mode: "at-most-one"))).allowed)
    }

    @Test func scaleUpOfANonSingletonIsAllowed() throws {
        let r = try scaleReview(old: 1, new: 5).request()
        #expect(SingletonPolicy().decide(r, parent: .found(parentMeta(mode: nil))) == .allow(.notOurs))
    }

    @Test func scaleDownAboveOneIsAllowedWithAWarning() throws {
        let r = try scaleReview(old: 5, new: 3).request()
        let d = SingletonPolicy().decide(r, parent: .found(parentMeta(mode: "at-most-one")))
        #expect(d.allowed && d.rule == .decrease)
        #expect(d.warnings.first?.contains("still has 3 replicas") == true)
    }

    @Test func aUsersScaleOfAReplicaSetOwnedByADeploymentPointsAtTheDeployment() throws {
        let r = try scaleReview(resource: "replicasets", old: 1, new: 3).request()
        let d = SingletonPolicy().decide(r, parent: .found(parentMeta(mode: "at-most-one", ownerKind: "Deployment")))
        #expect(!d.allowed && d.rule == .replicas)
        #expect(d.message?.contains("belongs to Deployment default/") == true, "\(d.message ?? "")")
        // The same verdict as a patch of the ReplicaSet itself.
        var patch = ReviewBuilder(
            resource: "replicasets", kind: "ReplicaSet",
            object: workload(kind: "ReplicaSet", replicas: 3, mode: "at-most-one", ownerKind: "Deployment"),
            oldObject: workload(kind: "ReplicaSet", replicas: 1, mode: "at-most-one", ownerKind: "Deployment"))
        #expect(SingletonPolicy().decide(try patch.request()).allowed == false)
        patch.username = "system:kube-controller-manager"
        #expect(SingletonPolicy().decide(try patch.request()) == .allow(.ownedByDeployment))
        let down = try scaleReview(resource: "replicasets", old: 3, new: 2).request()
        #expect(
            SingletonPolicy().decide(down, parent: .found(parentMeta(mode: "at-most-one", ownerKind: "Deployment")))
                == .allow(.ownedByDeployment))
    }

    @Test func unknownModeOnTheParentDeniesScaleUp() throws {
        let r = try scaleReview(old: 1, new: 2).request()
        let d = SingletonPolicy().decide(r, parent: .found(parentMeta(mode: "one")))
        #expect(!d.allowed && d.rule == .unknownMode)
        #expect(d.message?.contains("accepted values") == true)
    }

    @Test(arguments: [UnverifiedParentPolicy.allow, .deny])
    func unverifiableParentFollowsThePolicy(policy: UnverifiedParentPolicy) throws {
        let r = try scaleReview(old: 1, new: 3).request()
        let p = SingletonPolicy(unverifiedParent: policy)
        let lookups: [(ParentLookup?, String)] = [
            (.unavailable("Get \"https://10.0.0.1/apis/apps/v1\": connection refused"), "connection refused"),
            (.notFound, "not found"),
            (nil, "no lookup was made"),
            (.found(parentMeta(mode: "at-least-one", uid: "some-other-uid")), "does not match"),
        ]
        for (lookup, reason) in lookups {
            let d = p.decide(r, parent: lookup)
            #expect(d.rule == .unverifiedParent)
            switch policy {
            case .allow:
                #expect(d.allowed)
                #expect(d.warnings.first?.contains(reason) == true, "\(d.warnings)")
            case .deny:
                #expect(!d.allowed)
                #expect(d.message?.contains(reason) == true)
                #expect(d.message?.contains("--on-lookup-failure=deny") == true)
            }
        }
    }
}

@Suite struct HPARuleTests {
    @Test func hpaAimedAtASingletonIsDenied() throws {
        let r = try hpaReview(hpaObject(maxReplicas: 5)).request()
        let ref = try #require(SingletonPolicy().parentReference(for: r))
        #expect(ref == ParentReference(kind: .deployment, namespace: "default", name: "web"))
        let d = SingletonPolicy().decide(r, parent: .found(parentMeta(mode: "at-most-one")))
        #expect(!d.allowed && d.rule == .horizontalPodAutoscaler)
        #expect(d.message?.contains("HorizontalPodAutoscaler default/web-hpa targets Deployment default/web") == true)
        #expect(d.message?.contains("maxReplicas 5") == true)
        #expect(d.message?.contains("Set spec.maxReplicas to 1") == true)
    }

    @Test func autoscalingV1HPAOnAStatefulSet() throws {
        var b = hpaReview(hpaObject(maxReplicas: 3, targetKind: "StatefulSet", v2: false))
        b.version = "v1"
        let r = try b.request()
        #expect(SingletonPolicy().parentReference(for: r)?.kind == .statefulSet)
        #expect(!SingletonPolicy().decide(r, parent: .found(parentMeta(mode: "at-least-one"))).allowed)
    }

    @Test func hpaWithMaxReplicasOneNeedsNoLookup() throws {
        let r = try hpaReview(hpaObject(maxReplicas: 1)).request()
        #expect(SingletonPolicy().parentReference(for: r) == nil)
        #expect(SingletonPolicy().decide(r).allowed)
    }

    @Test func hpaOnAnotherKindIsNotOurs() throws {
        let r = try hpaReview(
            hpaObject(maxReplicas: 5, targetKind: "Service", targetAPIVersion: "serving.knative.dev/v1")
        ).request()
        #expect(SingletonPolicy().parentReference(for: r) == nil)
        #expect(SingletonPolicy().decide(r) == .allow(.notOurs))
    }

    @Test func hpaOnARolloutLooksTheRolloutUp() throws {
        let r = try hpaReview(
            hpaObject(maxReplicas: 5, targetKind: "Rollout", targetAPIVersion: "argoproj.io/v1alpha1")
        ).request()
        #expect(
            SingletonPolicy().parentReference(for: r)
                == ParentReference(kind: .rollout, namespace: "default", name: "web"))
        let d = SingletonPolicy().decide(r, parent: .found(parentMeta(mode: "at-most-one")))
        #expect(!d.allowed && d.rule == .horizontalPodAutoscaler)
        #expect(d.message?.contains("targets Rollout default/web, a singleton") == true)
    }

    @Test func hpaOnANonSingletonOrMissingTargetIsAllowed() throws {
        let r = try hpaReview(hpaObject(maxReplicas: 5)).request()
        #expect(SingletonPolicy().decide(r, parent: .found(parentMeta(mode: nil))).allowed)
        #expect(SingletonPolicy().decide(r, parent: .notFound).allowed)
    }

    @Test func loweringMaxReplicasIsAllowedWithAWarning() throws {
        let r = try hpaReview(hpaObject(maxReplicas: 3), old: hpaObject(maxReplicas: 10)).request()
        let d = SingletonPolicy().decide(r, parent: .found(parentMeta(mode: "at-least-one")))
        #expect(d.allowed && d.rule == .decrease)
        #expect(d.warnings.first?.contains("set maxReplicas to 1") == true)
    }

    @Test func unverifiableTargetFollowsThePolicy() throws {
        let r = try hpaReview(hpaObject(maxReplicas: 4)).request()
        #expect(SingletonPolicy(unverifiedParent: .allow).decide(r, parent: .unavailable("timeout")).allowed)
        #expect(!SingletonPolicy(unverifiedParent: .deny).decide(r, parent: .unavailable("timeout")).allowed)
    }
}
