import Foundation
import KubeAPIMachinery
import Testing

/// Upstream's round-trip fixtures (../shared/fixtures/k8s-api), read where they lie.
enum UpstreamFixtures {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("shared/fixtures/k8s-api")
    static var present: Bool { FileManager.default.fileExists(atPath: root.path) }

    static func data(_ version: String, _ file: String) throws -> Data {
        try Data(contentsOf: root.appendingPathComponent(version).appendingPathComponent(file))
    }
}

@Suite("Status and KubeAPIError")
struct StatusTests {
    /// Both the fully populated HEAD fixture and the frozen v1.33.0 one decode field for field.
    @Test(.enabled(if: UpstreamFixtures.present, "needs ../shared/fixtures"), arguments: ["HEAD", "v1.33.0"])
    func decodesUpstreamStatusFixture(version: String) throws {
        let body = try UpstreamFixtures.data(version, "core.v1.Status.json")
        let status = try #require(Status.decode(body))
        #expect(status.kind == "Status")
        #expect(status.apiVersion == "v1")
        #expect(status.metadata?.resourceVersion == "resourceVersionValue")
        #expect(status.metadata?.continue == "continueValue")
        #expect(status.metadata?.remainingItemCount == 4)
        #expect(status.status == "statusValue")
        #expect(
            status.details
                == Status.Details(
                    name: "nameValue", group: "groupValue", kind: "kindValue", uid: "uidValue",
                    causes: [Status.Cause(reason: "reasonValue", message: "messageValue", field: "fieldValue")],
                    retryAfterSeconds: 5))

        let error = KubeAPIError.decode(status: 500, body: body)
        #expect(error.code == 6, "the body's code wins over the HTTP status")
        #expect(error.reason == "reasonValue")
        #expect(error.message == "messageValue")
        #expect(error.name == "nameValue")
        #expect(error.kind == "kindValue")
        #expect(error.retryAfterSeconds == 5)
        #expect(error.description == "Error from server (reasonValue): messageValue")
    }

    /// Encoding then decoding loses nothing the fixture carries: every key comes back.
    @Test(.enabled(if: UpstreamFixtures.present, "needs ../shared/fixtures"))
    func statusRoundTripsTheFixture() throws {
        let body = try UpstreamFixtures.data("HEAD", "core.v1.Status.json")
        let original = try JSONValue.parse(body)
        let status = try #require(Status.decode(body))
        let again = try JSONValue.parse(JSONEncoder().encode(status))
        #expect(again == original)
    }

    /// A Status exactly as kube-apiserver 1.32 sends it for a missing Deployment.
    @Test func notFoundAsTheAPIServerSendsIt() {
        let body = Data(
            #"{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"deployments.apps \"web\" not found","reason":"NotFound","details":{"name":"web","group":"apps","kind":"deployments"},"code":404}"#
                .utf8)
        let error = KubeAPIError.decode(status: 404, body: body)
        #expect(error.isNotFound && !error.isConflict && !error.isGone)
        #expect(error.details == Status.Details(name: "web", group: "apps", kind: "deployments"))
        #expect(error.description == #"Error from server (NotFound): deployments.apps "web" not found"#)
    }

    /// What a server sends is what it decodes to: the body built from an error reads back as it.
    @Test func builtStatusDecodesToTheSameError() throws {
        let error = KubeAPIError(
            code: 409, reason: "Conflict", message: "the object has been modified",
            details: Status.Details(name: "web", group: "apps", kind: "deployments"))
        let body = try JSONEncoder().encode(error.status)
        let json = try JSONValue.parse(body)
        #expect(json["status"] == "Failure")
        #expect(json["metadata"] == [:])
        #expect(KubeAPIError.decode(status: 500, body: body) == error)
    }

    /// Bodies as servers send them: a conflict, a webhook denial with causes, a proxy page, an
    /// expired watch, an empty 401.
    @Test func decodesStatusAndPrintsLikeKubectl() throws {
        let conflict = KubeAPIError.decode(
            status: 409,
            body: Data(
                """
                {"kind":"Status","apiVersion":"v1","status":"Failure","message":"Operation cannot be fulfilled on deployments.apps \\"web\\": the object has been modified; please apply your changes to the latest version and try again","reason":"Conflict","details":{"name":"web","group":"apps","kind":"deployments"},"code":409}
                """.utf8))
        #expect(conflict.isConflict)
        #expect(conflict.name == "web")
        #expect(
            conflict.description
                == "Error from server (Conflict): Operation cannot be fulfilled on deployments.apps \"web\": the object has been modified; please apply your changes to the latest version and try again"
        )
        let denied = KubeAPIError.decode(
            status: 403,
            body: Data(
                """
                {"kind":"Status","status":"Failure","message":"admission webhook \\"workloads.kube-singleton.dev\\" denied the request: singleton","reason":"Forbidden","code":403,"details":{"causes":[{"reason":"FieldValueInvalid","message":"must be 1","field":"spec.replicas"}]}}
                """.utf8))
        #expect(denied.isForbidden)
        #expect(
            denied.causes == [Status.Cause(reason: "FieldValueInvalid", message: "must be 1", field: "spec.replicas")])
        #expect(denied.description.hasPrefix("Error from server (Forbidden): admission webhook"))
        let plain = KubeAPIError.decode(status: 503, body: Data("<html>bad gateway</html>".utf8))
        #expect(plain.reason == "ServiceUnavailable")
        #expect(
            plain.description
                == "Error from server (ServiceUnavailable): the server is currently unable to handle the request (<html>bad gateway</html>)"
        )
        let expired = KubeAPIError.decode(
            status: 200,
            body: Data(
                #"{"kind":"Status","reason":"Expired","message":"too old resource version: 1 (5)","code":410}"#.utf8))
        #expect(expired.isGone)
        #expect(
            KubeAPIError.decode(status: 401, body: Data()).description
                == "error: You must be logged in to the server (Unauthorized): the server has asked for the client to provide credentials"
        )
    }

    @Test func alreadyExistsIsNotAConflict() {
        let exists = KubeAPIError(code: 409, reason: "AlreadyExists", message: "exists")
        #expect(exists.isAlreadyExists && !exists.isConflict)
        #expect(KubeAPIError(code: 409, reason: "Conflict", message: "modified").isConflict)
        #expect(KubeAPIError(code: 409, reason: "", message: "bare 409").isConflict)
    }

    @Test func noResponseIsPrintedAsItsMessage() {
        let error = KubeAPIError.noResponse("Unable to connect to the server: connection refused")
        #expect(error.code == 0)
        #expect(error.description == "Unable to connect to the server: connection refused")
    }

    @Test func patchTypesRoundTripTheirContentTypes() {
        for type in [PatchType.merge, .jsonPatch, .strategicMerge, .apply(fieldManager: "m", force: true)] {
            #expect(
                PatchType(contentType: type.contentType + "; charset=utf-8", fieldManager: "m", force: true) == type)
        }
        #expect(PatchType(contentType: "application/json") == nil)
    }
}
