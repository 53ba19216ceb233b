import Foundation
import Testing
@testable import SingletonCore

/// `SingletonPolicy.begin` splits a review at the parent lookup; the halves must decide
/// exactly as the one-call `review` does.
@Suite struct ReviewStepTests {
    private func scaleUp(uid: String) -> ReviewBuilder {
        var b = ReviewBuilder()
        b.kind = "Scale"
        b.subResource = "scale"
        b.object = scaleObject(replicas: 3, uid: uid)
        b.oldObject = scaleObject(replicas: 1, uid: uid)
        return b
    }

    @Test func workloadRequestsAreDecidedWithoutAParent() throws {
        var b = ReviewBuilder()
        b.object = workload(replicas: 3, mode: "at-most-one")
        b.oldObject = workload(replicas: 1, mode: "at-most-one")
        guard case .done(let outcome) = SingletonPolicy().begin(b.json()) else {
            Issue.record("a Deployment update asked for a parent")
            return
        }
        #expect(outcome.decision?.allowed == false)
        #expect(outcome.decision?.rule == .replicas)
        #expect(outcome.body == SingletonPolicy().review(b.json()) { _ in .notFound }.body)
    }

    @Test func malformedBodiesAreDoneWithTheError() {
        guard case .done(let outcome) = SingletonPolicy().begin(Data("{\"kind\":".utf8)) else {
            Issue.record("a malformed body asked for a parent")
            return
        }
        #expect(outcome.decision == nil)
        #expect(outcome.decodeError != nil)
    }

    @Test(arguments: [
        (ParentLookup.found(parentMeta(mode: "at-most-one", uid: "u-7")), false),
        (ParentLookup.found(parentMeta(mode: nil, uid: "u-7")), true),
        (ParentLookup.notFound, true),
    ])
    func scaleUpWaitsForTheParentAndFinishesLikeReview(parent: ParentLookup, allowed: Bool) throws {
        let body = scaleUp(uid: "u-7").json()
        guard case .needsParent(let pending) = SingletonPolicy().begin(body) else {
            Issue.record("a scale-up to 3 did not ask for its parent")
            return
        }
        #expect(
            pending.reference
                == ParentReference(kind: .deployment, namespace: "default", name: "web", expectedUID: "u-7"))
        #expect(pending.request.uid == ReviewBuilder().uid)
        let finished = pending.finish(parent)
        #expect(finished.decision?.allowed == allowed)
        var asked: [ParentReference] = []
        let whole = SingletonPolicy().review(body) { ref in
            asked.append(ref); return parent
        }
        #expect(asked == [pending.reference])
        #expect(finished.body == whole.body)
    }
}
