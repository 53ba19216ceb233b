import Foundation
import KubeAPIMachinery
import KubeClient
import SingletonCore
import Testing
@testable import WebhookServer

/// The parent cache's byte reader against its reference: every page and object it reads must
/// come out exactly as `KubeListPage<ParentMetadata>` / `ParentMetadata` decode it with
/// `JSONDecoder`, and whatever it is unsure of it must leave to them (nil).
@Suite("MetadataReader: list pages read from bytes, as the Codable types read them")
struct MetadataReaderTests {
    struct Read: Equatable {
        var items: [ObjectMeta]
        var metadata: ListMeta
        var apiVersion: String?
        var kind: String?
    }

    static func codable(_ body: Data) throws -> Read {
        let page = try JSONDecoder().decode(KubeListPage<KubeMetadataSource.ParentMetadata>.self, from: body)
        return Read(
            items: page.items.map(\.meta), metadata: page.metadata, apiVersion: page.apiVersion, kind: page.kind)
    }

    static func fast(_ body: Data) -> Read? {
        KubeMetadataSource.ParentMetadata.fastPage(body).map {
            Read(items: $0.items.map(\.meta), metadata: $0.metadata, apiVersion: $0.apiVersion, kind: $0.kind)
        }
    }

    static func list(_ items: [Any], metadata: [String: Any]) throws -> Data {
        try JSONSerialization.data(withJSONObject: [
            "kind": "PartialObjectMetadataList", "apiVersion": "meta.k8s.io/v1", "metadata": metadata, "items": items,
        ])
    }

    /// The kubernetes/api testdata workloads (every metadata field set: managedFields, labels,
    /// owner references, finalizers...), as they are and with our annotations added.
    static func fixtureObjects() throws -> [[String: Any]] {
        let root = Fixtures.shared.appendingPathComponent("fixtures/k8s-api")
        var out: [[String: Any]] = []
        for version in ["HEAD", "v1.33.0"] {
            for file in [
                "apps.v1.Deployment.json", "apps.v1.ReplicaSet.json", "apps.v1.StatefulSet.json",
                "core.v1.ReplicationController.json",
            ] {
                let data = try Data(contentsOf: root.appendingPathComponent("\(version)/\(file)"))
                var object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
                out.append(object)
                var meta = try #require(object["metadata"] as? [String: Any])
                var annotations = meta["annotations"] as? [String: String] ?? [:]
                annotations["kube-singleton.dev/mode"] = "at-most-one"
                annotations["kube-singleton.dev/enforcement"] = "warn"
                meta["annotations"] = annotations
                object["metadata"] = meta
                out.append(object)
            }
        }
        return out
    }

    @Test("a page of the kubernetes/api testdata workloads reads as JSONDecoder reads it")
    func fixturePage() throws {
        guard Fixtures.sharedAvailable else { return }
        let objects = try Self.fixtureObjects()
        #expect(objects.count == 16)
        let body = try Self.list(
            objects, metadata: ["resourceVersion": "4242", "continue": "eyJydiI6NDI0Mn0", "remainingItemCount": 99_500])
        let fast = try #require(Self.fast(body), "the reader deferred on what a real API server sends")
        #expect(fast == (try Self.codable(body)))
        #expect(fast.metadata.remainingItemCount == 99_500 && fast.metadata.continue == "eyJydiI6NDI0Mn0")
        #expect(fast.items.filter { $0.annotations?["kube-singleton.dev/mode"] == "at-most-one" }.count == 8)
        #expect(fast.items.allSatisfy { $0.labels == nil && $0.uid != nil && $0.name != nil })
        // The fixtures' owner references are kept whole.
        #expect(fast.items.contains { !($0.ownerReferences ?? []).isEmpty })

        for object in objects {
            let data = try JSONSerialization.data(withJSONObject: object)
            let read = try #require(MetadataReader.object([UInt8](data), annotationPrefix: "kube-singleton.dev/"))
            #expect(read == (try JSONDecoder().decode(KubeMetadataSource.ParentMetadata.self, from: data)).meta)
        }
    }

    /// Bodies the reader takes: each must agree with the Codable types.
    static let agreed: [String] = [
        #"{"items":[]}"#,
        #"{"metadata":null,"items":null}"#,
        #"{"kind":"List","metadata":{"resourceVersion":"7","selfLink":"/x","extra":[1,{"a":null}]},"items":[{"metadata":{"name":"a"}}]}"#,
        // Pretty-printed, with whitespace everywhere.
        "{ \"items\" : [ { \"metadata\" : { \"name\" : \"a\" , \"uid\" : \"u\" } , \"spec\" : { \"replicas\" : 3 } } ] ,\n\t\"metadata\" : { \"continue\" : \"\" } }",
        // An escaped key of ours, an escaped value, null maps and owner lists.
        #"{"items":[{"metadata":{"name":"a","annotations":{"kube-singleton.dev\/mode":"at-most-one","x":"y\u00e9"}}},{"metadata":{"name":"b","annotations":null,"ownerReferences":null,"namespace":null}}]}"#,
        // Annotations of others with values that are not strings: JSONDecoder never reads them.
        #"{"items":[{"metadata":{"name":"a","annotations":{"other":7,"kube-singleton.dev/mode":"at-least-one"}}}]}"#,
        // Our prefix as a whole key, and keys that only resemble it.
        #"{"items":[{"metadata":{"annotations":{"kube-singleton.dev/":"","kube-singleton.de":"x","kube-singleton.dev":"y"}}}]}"#,
        #"{"items":[{"metadata":{"name":"rs","ownerReferences":[{"apiVersion":"apps/v1","kind":"Deployment","name":"web","uid":"1","controller":true,"blockOwnerDeletion":null}]}}]}"#,
        // Non-ASCII names are valid UTF-8: read as they are.
        #"{"items":[{"metadata":{"name":"caf\u00e9","namespace":"ü"}}]}"#,
    ]

    @Test("bodies the reader takes come out as the Codable types decode them", arguments: agreed)
    func agreement(_ text: String) throws {
        let body = Data(text.utf8)
        let fast = try #require(Self.fast(body))
        #expect(fast == (try Self.codable(body)))
    }

    /// Bodies the reader must leave to the Codable types (which decode some and reject others).
    static let deferred: [String] = [
        #"{"items":[{"spec":{}}]}"#,  // an item without metadata
        #"{"items":[{"metadata":null}]}"#,
        #"{"items":[{"metadata":{"annotations":{"kube-singleton.dev/mode":"a","kube-singleton.dev/mode":"b"}}}]}"#,
        #"{"items":[{"metadata":{"name":"a","name":"b"}}]}"#,
        #"{"items":[],"items":[]}"#,
        #"{"metadata":{"shardInfo":{"selector":"x"}},"items":[]}"#,
        #"{"metadata":{"selfLink":"a","selfLink":"b"},"items":[]}"#,
        #"{"metadata":{"remainingItemCount":1.5},"items":[]}"#,
        #"{"metadata":{"continue":7},"items":[]}"#,
        #"{"items":[{"metadata":{"annotations":{"kube-singleton.dev/mode":1}}}]}"#,
        #"{"items":[{"metadata":{"annotations":[]}}]}"#,
        #"{"items":[{"metadata":{"ownerReferences":[{"kind":"Deployment"}]}}]}"#,
        #"{"items":{}}"#,
        #"{"items":[]} trailing"#,
        #"{"items":[{"metadata":{"name":"a"}}"#,
        "[]",
        "",
        "not json",
    ]

    @Test("bodies the reader is unsure of are left to the Codable types", arguments: deferred)
    func deferral(_ text: String) {
        #expect(Self.fast(Data(text.utf8)) == nil)
    }

    @Test("invalid UTF-8 is left to the Codable types")
    func invalidUTF8() {
        var bytes = Array(#"{"items":[{"metadata":{"name":"x"}}]}"#.utf8)
        bytes[bytes.count - 6] = 0xFF
        #expect(MetadataReader.page(bytes, annotationPrefix: "kube-singleton.dev/") == nil)
    }
}
