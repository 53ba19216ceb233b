import Foundation
import Testing
@testable import SingletonCore

/// The byte reader reads `object` and `oldObject` as they come when `resource` (and
/// `operation`) came first, as the API server writes them, and reads them again when a
/// later member changes what they are. These bodies put the members in the orders that
/// matter and check the reader against the Codable model.
struct FastReviewOrderTests {
    static let deployment =
        #"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","namespace":"shop","uid":"u-1","annotations":{"kube-singleton.dev/mode":"at-most-one"},"labels":{"app":"web"}},"spec":{"replicas":2,"selector":{"matchLabels":{"app":"web"}},"template":{"metadata":{"labels":{"app":"web"}},"spec":{"containers":[{"name":"c","ports":[{"containerPort":80}]}]}}}}"#
    static let scale =
        #"{"apiVersion":"autoscaling/v1","kind":"Scale","metadata":{"name":"web","namespace":"shop","uid":"u-1"},"spec":{"replicas":3},"status":{"replicas":1,"selector":"app=web"}}"#
    static let deploymentsGVR = #"{"group":"apps","version":"v1","resource":"deployments"}"#
    static let scaleGVK = #"{"group":"autoscaling","version":"v1","kind":"Scale"}"#

    static func review(_ members: String) -> Data {
        Data(#"{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"o-1",\#(members)}}"#.utf8)
    }

    @Test(arguments: [
        // API server order: everything the objects' type depends on comes first.
        #""resource":\#(deploymentsGVR),"operation":"UPDATE","object":\#(deployment),"oldObject":\#(deployment)"#,
        // resource after the objects: nothing to guess with, read at the end.
        #""operation":"CREATE","object":\#(deployment),"resource":\#(deploymentsGVR)"#,
        // subResource after the objects, guessed from the request kind (right guess).
        #""kind":\#(scaleGVK),"resource":\#(deploymentsGVR),"operation":"UPDATE","object":\#(scale),"oldObject":\#(scale),"subResource":"scale""#,
        // subResource after the objects, no kind to guess from (wrong guess: a Deployment).
        #""resource":\#(deploymentsGVR),"operation":"UPDATE","object":\#(scale),"oldObject":\#(scale),"subResource":"scale""#,
        // A Scale kind but the status subresource: not ours after all.
        #""kind":\#(scaleGVK),"resource":\#(deploymentsGVR),"operation":"UPDATE","object":\#(scale),"subResource":"status""#,
        // operation after the objects, and not one whose objects are read.
        #""resource":\#(deploymentsGVR),"object":\#(deployment),"operation":"DELETE""#,
        #""resource":\#(deploymentsGVR),"oldObject":\#(deployment),"operation":"UPDATE""#,
        // null objects, before and after resource.
        #""object":null,"resource":\#(deploymentsGVR),"operation":"UPDATE","oldObject":null"#,
    ])
    func memberOrderDoesNotChangeTheResult(_ members: String) {
        #expect(FastPathDifferentialTests.check(members, Self.review(members)), "should be read by the byte reader")
    }

    /// An object the reader cannot read as what it turned out to be still defers, even
    /// when it was first read (and failed) as something else.
    @Test func anObjectThatFailsItsFinalTypeStillDefers() {
        let odd = #"{"metadata":{"name":"web"},"spec":{"replicas":1.5}}"#
        let members = #""resource":\#(Self.deploymentsGVR),"operation":"UPDATE","object":\#(odd)"#
        #expect(ReviewReader.read([UInt8](Self.review(members))) == nil)
        FastPathDifferentialTests.check(members, Self.review(members))
    }

    /// An object that does not read as the guessed type, in a request whose final type does
    /// not read it (DELETE): the reader takes it, as the model does.
    @Test func anUnreadableObjectOfADeleteIsSkipped() {
        let odd = #"{"metadata":{"name":"web"},"spec":{"replicas":1.5}}"#
        let members = #""resource":\#(Self.deploymentsGVR),"object":\#(odd),"operation":"DELETE""#
        #expect(FastPathDifferentialTests.check(members, Self.review(members)), "should be read by the byte reader")
    }

    /// A ReplicationController's plain selector whose keys are field names elsewhere: labels,
    /// read as the model reads them.
    @Test func plainSelectorKeysThatAreFieldNamesAreLabels() throws {
        let rc = #"{"metadata":{"name":"rc"},"spec":{"replicas":1,"selector":{"name":"web","key":"k","app":"a"}}}"#
        let gvr = #"{"group":"","version":"v1","resource":"replicationcontrollers"}"#
        let members = #""resource":\#(gvr),"operation":"CREATE","object":\#(rc)"#
        #expect(FastPathDifferentialTests.check(members, Self.review(members)), "should be read by the byte reader")
        let request = try AdmissionReview.decodeRequestCodable(Self.review(members)).get()
        guard case .workload(let workload)? = request.object else { Issue.record("not a workload"); return }
        #expect(workload.selector?.matchLabels == ["name": "web", "key": "k", "app": "a"])
    }

    /// Escaped or non-ASCII keys in the request defer to the Codable model, which decides.
    @Test(arguments: [
        #""resource":\#(deploymentsGVR),"operati\u006fn":"UPDATE""#,
        #""resource":\#(deploymentsGVR),"operation":"UPDATE","objéct":{}"#,
    ])
    func keysWithEscapesOrNonASCIIDefer(_ members: String) {
        #expect(ReviewReader.read([UInt8](Self.review(members))) == nil)
        FastPathDifferentialTests.check(members, Self.review(members))
    }
}
