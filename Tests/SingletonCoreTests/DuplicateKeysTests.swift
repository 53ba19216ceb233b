import Foundation
import Testing
@testable import SingletonCore

/// Go's decoders keep the last of two equal keys, Foundation's the first: a body with
/// duplicates is refused rather than judged as an object the API server did not store.
@Suite("Duplicate JSON keys")
struct DuplicateKeysTests {
    static func create() throws -> String {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
            .appendingPathComponent("examples/reviews/01-create-singleton-allowed.json")
        return String(decoding: try Data(contentsOf: url), as: UTF8.self)
    }

    @Test(
        "finds a key twice in one object, with its path; spelled with escapes too",
        arguments: [
            (#"{"a":{"b":1,"b":2}}"#, "a", "b"),
            (#"{"a":[{"x":1},{"x":1,"y":2,"x":3}]}"#, "a[]", "x"),
            (#"{"rep\u006cicas":1,"replicas":3}"#, "the document", "replicas"),
            (#"{"s":{"k\"q":1,"k\u0022q":2}}"#, "s", "k\"q"),
            (#"{"e":"\ud83d\ude00","\ud83d\ude00":1,"😀":2}"#, "the document", "😀"),
        ])
    func finds(json: String, path: String, key: String) {
        let found = DuplicateKeys.find(Array(json.utf8))
        #expect(found?.path == path)
        #expect(found?.key == key)
    }

    @Test(
        "no duplicate, or not JSON it can follow: nil (the decoder reports what is wrong)",
        arguments: [
            #"{"a":{"b":1},"b":{"a":1},"c":[1,2,{"a":[]}],"d":"x\"y","e":true,"f":null,"g":-1.5e3}"#,
            #"{"a":1,"b":}"#,
            #"{"a" 1}"#,
            #"{"a":"\ud800"}"#,
            #"[1,2"#,
            String(repeating: "[", count: 600) + String(repeating: "]", count: 600),
        ])
    func noneFound(json: String) {
        #expect(DuplicateKeys.find(Array(json.utf8)) == nil)
    }

    @Test("replicas 1 then 3 is refused with 400 and the last uid, not allowed as JSONDecoder's first value would")
    func replicasTwice() throws {
        let body = try Self.create()
            .replacingOccurrences(of: "\"replicas\": 1,", with: "\"replicas\": 1, \"replicas\": 3,")
            .replacingOccurrences(
                of: "\"uid\": \"a1f1c0de-0001-4000-8000-000000000001\",",
                with: "\"uid\": \"first\", \"uid\": \"last\",")
        let outcome = SingletonPolicy().review(Data(body.utf8)) { _ in .notFound }
        #expect(outcome.decision == nil)
        #expect(outcome.decodeError?.uid == "last")
        // The first duplicate in document order is named.
        #expect(
            outcome.decodeError?.message.contains("\"uid\" appears twice in request;") == true,
            "\(outcome.decodeError?.message ?? "")")
        let replicasOnly = try Self.create().replacingOccurrences(
            of: "\"replicas\": 1,", with: "\"replicas\": 1, \"replicas\": 3,")
        let second = SingletonPolicy().review(Data(replicasOnly.utf8)) { _ in .notFound }
        #expect(second.decision == nil)
        #expect(second.decodeError?.uid == "a1f1c0de-0001-4000-8000-000000000001")
        #expect(second.decodeError?.message.contains("\"replicas\" appears twice in request.object.spec") == true)
        #expect(AdmissionReview.requestUID(bytes: Array(body.utf8)) == "last")
    }

    @Test("annotations {} then the real ones: refused, not read as unannotated")
    func annotationsTwice() throws {
        let body = try Self.create().replacingOccurrences(
            of: "\"annotations\": {", with: "\"annotations\": {}, \"annotations\": {")
        let outcome = SingletonPolicy().review(Data(body.utf8)) { _ in .notFound }
        #expect(outcome.decision == nil)
        #expect(
            outcome.decodeError?.message.contains("\"annotations\" appears twice in request.object.metadata") == true)
    }

    @Test("a contract annotation twice: refused")
    func modeTwice() throws {
        let body = try Self.create().replacingOccurrences(
            of: "\"kube-singleton.dev/mode\": \"at-least-one\",",
            with: "\"kube-singleton.dev/mode\": \"at-least-one\", \"kube-singleton.dev/mode\": \"bogus\",")
        let outcome = SingletonPolicy().review(Data(body.utf8)) { _ in .notFound }
        #expect(outcome.decision == nil)
        #expect(outcome.decodeError?.message.contains("appears twice in request.object.metadata.annotations") == true)
    }
}
