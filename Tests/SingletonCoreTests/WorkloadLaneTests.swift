import Foundation
import Testing
@testable import SingletonCore

/// The workload lane (`SingletonPolicy.laneStep`): which requests it takes, and the
/// bodies where it must step aside so the Codable model decides. That it agrees with the full
/// path wherever it decides is `FastPathDifferentialTests.checkLane`, run on every body and
/// mutation there.
struct WorkloadLaneTests {
    static func text(
        annotations: String, labels: String = #"{"app":"web"}"#, replicas: Int = 3,
        resource: String = "deployments", operation: String = "CREATE"
    ) -> Data {
        Data(
            #"""
            {"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u-1","operation":"\#(operation)",\#
            "resource":{"group":"apps","version":"v1","resource":"\#(resource)"},"namespace":"shop","name":"web",\#
            "object":{"metadata":{"name":"web","labels":\#(labels),"annotations":\#(annotations)},"spec":{"replicas":\#(replicas)}}}}
            """#.utf8)
    }

    /// The lane's step for `body`, when it takes it.
    static func lane(_ body: Data) -> ReviewStep? {
        SingletonPolicy().laneStep([UInt8](body))
    }

    /// The lane's outcome for `body`, when it takes and decides it.
    static func laneOutcome(_ body: Data) -> ReviewOutcome? {
        guard case .done(let outcome)? = lane(body) else { return nil }
        return outcome
    }

    /// Decides `body` through `begin`, as the server does; the lane's verdict when it took it.
    static func decide(_ body: Data) -> (laned: Bool, decision: AdmissionDecision?) {
        let laned = lane(body) != nil
        guard case .done(let outcome) = SingletonPolicy().begin(body) else { return (laned, nil) }
        return (laned, outcome.decision)
    }

    @Test func workloadCreateAndUpdateTakeTheLane() throws {
        var taken = 0
        for (name, body) in try DifferentialCorpus.examples() + DifferentialCorpus.built() {
            guard case .success(let request) = AdmissionReview.decodeRequestCodable(body),
                request.operation == .create || request.operation == .update,
                case .workload = request.subject
            else { continue }
            #expect(Self.laneOutcome(body) != nil, "\(name) should take the lane and be decided there")
            taken += 1
        }
        #expect(taken >= 20, "only \(taken) workload reviews in the corpus")
    }

    @Test(.enabled(if: Fixtures.available, "../shared/fixtures is absent: fixture lane test skipped"))
    func publicWorkloadReviewsTakeTheLane() throws {
        for (name, body) in try DifferentialCorpus.publicAdmission() + DifferentialCorpus.upstream() {
            guard case .success(let request) = AdmissionReview.decodeRequestCodable(body),
                request.operation == .create || request.operation == .update,
                case .workload = request.subject
            else { continue }
            #expect(FastPathDifferentialTests.checkLane(name, body, .success(request)), "\(name) should take the lane")
        }
    }

    /// Scale, HPA and other subjects' objects are read into the model in the lane's one
    /// pass: the lane takes them, and its step (most need their parent) is the model's.
    @Test func objectsOfAnotherSubjectAreDecodedOnce() {
        var checked = 0, parents = 0
        for (name, body) in DifferentialCorpus.built()
        where ["scale", "hpa", "pod", "status"].contains(where: name.contains) {
            #expect(
                FastPathDifferentialTests.checkLane(name, body, AdmissionReview.decodeRequestCodable(body)), "\(name)")
            if case .needsParent? = Self.lane(body) { parents += 1 }
            checked += 1
        }
        #expect(checked >= 8 && parents >= 2, "\(checked) bodies, \(parents) waiting for a parent")
    }

    /// A DELETE or CONNECT has no objects read: the lane's decode is the whole request, and
    /// it is decided there instead of being decoded a second time.
    @Test func otherOperationsAreDecidedWithoutASecondDecode() {
        var checked = 0
        for (name, body) in DifferentialCorpus.built()
        where ["DELETE", "CONNECT", "PATCH"].contains(where: name.contains) {
            let reference = AdmissionReview.decodeRequestCodable(body)
            #expect(FastPathDifferentialTests.checkLane(name, body, reference), "\(name)")
            #expect(Self.laneOutcome(body)?.decision?.rule == .notOurs, "\(name)")
            checked += 1
        }
        #expect(checked >= 15)
    }

    @Test func theLaneReadsTheContractAndDecides() {
        let denied = Self.decide(
            Self.text(annotations: #"{"a":"b","kube-singleton.dev/mode":"at-most-one","kube-singleton.dev/lease":"l"}"#)
        )
        #expect(denied.laned && denied.decision?.allowed == false && denied.decision?.rule == .replicas)
        let notOurs = Self.decide(Self.text(annotations: #"{"kube-singleton.dev/modes":"at-most-one"}"#))
        #expect(notOurs.laned && notOurs.decision?.allowed == true && notOurs.decision?.rule == .notOurs)
        let emptyLease = Self.decide(
            Self.text(
                annotations: #"{"kube-singleton.dev/mode":"at-most-one","kube-singleton.dev/lease":" "}"#, replicas: 1))
        #expect(emptyLease.laned && emptyLease.decision?.rule == .unknownMode)
    }

    @Test(arguments: [
        // Escapes in the key (encoders that escape slashes write the first): decoded first.
        #"{"kube-singleton.dev\/mode":"at-most-one"}"#,
        #"{"kube-singleton.dev/mod\u0065":"at-most-one"}"#,
    ])
    func escapedContractKeysAreDecodedBeforeTheyAreCompared(_ annotations: String) {
        let result = Self.decide(Self.text(annotations: annotations))
        #expect(result.laned)
        // at-most-one with 3 replicas is denied.
        #expect(result.decision?.allowed == false && result.decision?.rule == .replicas)
    }

    @Test(arguments: [
        #"{"kube-singleton.dev/mode":"at-most-one","kube-singleton.dev/mode":"bogus"}"#,
        #"{"kube-singleton.dev/mode":"at-most-one","kube-singleton.dev\/mode":"bogus"}"#,
        #"{"kube-singleton.dev/lease":"a","kube-singleton.dev/mode":"at-most-one","kube-singleton.dev/lease":" "}"#,
    ])
    func aContractKeyTwiceIsLeftToTheFullPath(_ annotations: String) {
        let body = Self.text(annotations: annotations)
        #expect(Self.lane(body) == nil)
        // JSONDecoder would keep the first value, Go the last: the full path refuses it instead.
        guard case .done(let outcome) = SingletonPolicy().begin(body) else { Issue.record("no outcome"); return }
        #expect(outcome.decision == nil)
        #expect(outcome.decodeError?.message.contains("appears twice in request.object.metadata.annotations") == true)
    }

    @Test(arguments: [#"{"a":1}"#, #"{"a":null}"#, #"["kube-singleton.dev/mode"]"#, #""at-most-one""#])
    func annotationsOfTheWrongTypeAreLeftToTheFullPath(_ annotations: String) {
        let body = Self.text(annotations: annotations)
        #expect(Self.lane(body) == nil)
        guard case .done(let outcome) = SingletonPolicy().begin(body) else { Issue.record("no outcome"); return }
        #expect(outcome.decision == nil && outcome.decodeError != nil, "the Codable path rejects it")
    }

    @Test func labelsSeenTwiceAreDecidedInTheLaneAsJSONDecoderReadsThem() {
        let body = Self.text(
            annotations: #"{"kube-singleton.dev/mode":"at-least-one"}"#, labels: #"{"app":"a","app":"b"}"#)
        #expect(FastPathDifferentialTests.checkLane("labels twice", body, AdmissionReview.decodeRequestCodable(body)))
    }

    @Test func theLaneOutcomeDecodesItsRequestOnDemand() throws {
        let body = Self.text(annotations: #"{"kube-singleton.dev/mode":"at-most-one"}"#)
        let lane = try #require(Self.laneOutcome(body))
        let request = try #require(lane.request)
        #expect(request.uid == "u-1" && request.namespace == "shop")
        guard case .workload(let workload)? = request.object else { Issue.record("no workload"); return }
        #expect(workload.metadata.labels == ["app": "web"] && workload.replicas == 3)
        #expect(lane.summary == RequestSummary(request))
    }
}
