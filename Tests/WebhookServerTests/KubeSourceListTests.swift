import Foundation
import HTTPSServerKit
import KubeAPIMachinery
import KubeClient
import Logging
import SingletonCore
import Testing
import TestSupport
@testable import WebhookServer

/// The list path of the parent cache over real HTTPS: KubeMetadataSource reads each page in
/// one typed pass, follows `continue`, keeps the list's resourceVersion, and names an item it
/// cannot read; a relist replaces what the cache held.
@Suite("KubeMetadataSource: typed, paged lists")
struct KubeSourceListTests {
    static func meta(_ name: String, uid: String, mode: String? = nil) -> ObjectMeta {
        var annotations = ["kubectl.kubernetes.io/last-applied-configuration": #"{"big":"json"}"#]
        if let mode { annotations["kube-singleton.dev/mode"] = mode }
        return ObjectMeta(name: name, namespace: "shop", uid: uid, labels: ["app": name], annotations: annotations)
    }

    static func serve(_ handler: ClosureHandler, _ body: (KubeClient) async throws -> Void) async throws {
        let pki = try TestPKI.make()
        let server = try await HTTPSServer.start(
            ServerConfiguration(
                tls: TLSSettings(
                    certificateChain: .pem(pki.server.certificatePEM), privateKey: .pem(pki.server.privateKeyPEM)),
                limits: .forTests, threads: 1),
            handler: handler)
        let client = KubeClient(
            config: ClientConfig(
                server: "https://127.0.0.1:\(server.port)",
                tls: TLSOptions(certificateAuthorityPEM: Data(pki.ca.certificatePEM.utf8)),
                retry: RetryPolicy(maxAttempts: 1)))
        do {
            try await body(client)
        } catch {
            await server.shutdown(grace: .seconds(1))
            throw error
        }
        await server.shutdown(grace: .seconds(1))
    }

    @Test("pages are followed by continue, the list's resourceVersion is kept, only our annotations are read")
    func pagedList() async throws {
        let api = FakeWorkloadAPI()
        for (i, name) in ["a", "b", "c", "d", "e"].enumerated() {
            await api.put(.deployment, Self.meta(name, uid: "u-\(name)", mode: i == 1 ? "at-most-one" : nil))
        }
        await api.put(.statefulSet, Self.meta("db", uid: "u-db"))  // moves the collection's version past every item's
        try await Self.serve(api.handler) { client in
            let list = try await KubeMetadataSource(client: client, pageSize: 2).list(.deployment, namespace: nil)
            #expect(list.items.map(\.name) == ["a", "b", "c", "d", "e"])
            #expect(list.resourceVersion == "106")
            #expect(list.items.map(\.resourceVersion) == ["101", "102", "103", "104", "105"])
            #expect(list.items[1].annotations == ["kube-singleton.dev/mode": "at-most-one"])
            #expect(list.items[0].annotations == nil)
            #expect(list.items.allSatisfy { $0.labels == nil && $0.uid == "u-\($0.name ?? "")" })
            let queries = await api.listQueries
            #expect(queries.map(\.limit) == ["2", "2", "2"])
            #expect(queries.map(\.continue) == [nil, "2", "4"])
        }
    }

    @Test("a relist after 410 replaces the cache: what is gone from the list is gone from the cache")
    func relistReplaces() async throws {
        let api = FakeWorkloadAPI()
        await api.put(.deployment, Self.meta("a", uid: "u-a", mode: "at-most-one"))
        await api.put(.deployment, Self.meta("b", uid: "u-b"))
        try await Self.serve(api.handler) { client in
            let cache = ParentCache(kinds: [.deployment])
            let reflector = Reflector(
                kind: .deployment, namespace: nil,
                source: KubeMetadataSource(client: client, watchTimeoutSeconds: 60, pageSize: 1), cache: cache,
                backoff: Backoff(initial: .milliseconds(10), maximum: .milliseconds(50)), logger: Logger(label: "test"))
            let task = Task { await reflector.run() }
            defer { task.cancel() }
            let a = ParentReference(kind: .deployment, namespace: "shop", name: "a")
            let c = ParentReference(kind: .deployment, namespace: "shop", name: "c")
            try await waitFor("first list") { cache.read { $0.count(.deployment) } == 2 }
            #expect(cache.lookup(a)?.annotations == ["kube-singleton.dev/mode": "at-most-one"])

            // Changes the watch never announces, then compaction: only the relist can show them.
            await api.remove(.deployment, Self.meta("a", uid: "u-a"), announce: false)
            await api.put(.deployment, Self.meta("c", uid: "u-c"), announce: false)
            await api.compact()
            try await waitFor("relist") { cache.lookup(c) != nil }
            #expect(cache.lookup(a) == nil)
            #expect(cache.read { $0.count(.deployment) } == 2)
            #expect((await api.lists[.deployment] ?? 0) == 2 * 2)  // two lists of two one-item pages
        }
    }

    @Test("pages come one at a time with the server's remaining count; an expired continue token is 410 Gone")
    func pagesAndExpiredToken() async throws {
        let api = FakeWorkloadAPI()
        for name in ["a", "b", "c", "d", "e"] { await api.put(.deployment, Self.meta(name, uid: "u-\(name)")) }
        try await Self.serve(api.handler) { client in
            let source = KubeMetadataSource(client: client, pageSize: 2)
            var pages: [MetadataPage] = []
            let version = try await source.list(.deployment, namespace: nil) { pages.append($0) }
            #expect(version == "105")
            #expect(pages.map { $0.items.compactMap(\.name) } == [["a", "b"], ["c", "d"], ["e"]])
            #expect(pages.map(\.remaining) == [3, 1, nil])

            await api.expireContinueTokens(1)
            pages = []
            await #expect(throws: MetadataSourceError.gone) {
                _ = try await source.list(.deployment, namespace: nil) { pages.append($0) }
            }
            #expect(pages.count == 1)  // the first page came before the token expired
            let queries = await api.listQueries.suffix(2)
            #expect(queries.map(\.continue) == [nil, "2"])
        }
    }

    @Test("a relist whose continue token expires starts over from the first page and ends with exactly the new list")
    func relistRestartsAfterExpiredToken() async throws {
        let api = FakeWorkloadAPI()
        for name in ["a", "b", "c", "d", "e"] {
            await api.put(.deployment, Self.meta(name, uid: "u-\(name)", mode: name == "b" ? "at-most-one" : nil))
        }
        await api.expireContinueTokens(1)
        try await Self.serve(api.handler) { client in
            let cache = ParentCache(kinds: [.deployment])
            let reflector = Reflector(
                kind: .deployment, namespace: nil,
                source: KubeMetadataSource(client: client, watchTimeoutSeconds: 60, pageSize: 2), cache: cache,
                backoff: Backoff(initial: .milliseconds(10), maximum: .milliseconds(50)), logger: Logger(label: "test"))
            let task = Task { await reflector.run() }
            defer { task.cancel() }
            try await waitFor("the list after the expired token") { cache.isSynced }
            #expect(cache.read { $0.count(.deployment) } == 5)
            #expect(await api.listQueries.map(\.continue) == [nil, "2", nil, "2", "4"])
            let b = ParentReference(kind: .deployment, namespace: "shop", name: "b", expectedUID: "u-b")
            let e = ParentReference(kind: .deployment, namespace: "shop", name: "e", expectedUID: "u-e")
            #expect(cache.lookup(b)?.annotations == ["kube-singleton.dev/mode": "at-most-one"])
            #expect(cache.lookup(e) == CachedParent(uid: "u-e", annotations: nil))
        }
    }

    @Test("an item that cannot be read fails the list with its place and name; the cache stays unsynced")
    func unreadableItem() async throws {
        let body = Data(
            #"""
            {"kind":"PartialObjectMetadataList","apiVersion":"meta.k8s.io/v1","metadata":{"resourceVersion":"9"},"items":[
             {"kind":"PartialObjectMetadata","metadata":{"name":"web","namespace":"shop","uid":"u1"}},
             {"kind":"PartialObjectMetadata","metadata":{"name":"bad","namespace":"shop","uid":42}}]}
            """#.utf8)
        try await Self.serve(ClosureHandler { _ in .json(.ok, body) }) { client in
            let source = KubeMetadataSource(client: client)
            let error = await #expect(throws: KubeAPIError.self) {
                _ = try await source.list(.deployment, namespace: nil)
            }
            let expected =
                "the server's answer to GET /apis/apps/v1/deployments could not be read: items[1] (shop/bad): metadata.uid: "
            #expect(error?.message.hasPrefix(expected) == true, "\(String(describing: error))")

            let cache = ParentCache(kinds: [.deployment])
            let reflector = Reflector(
                kind: .deployment, namespace: nil, source: source, cache: cache, logger: Logger(label: "test"))
            guard case .failed(let why) = await reflector.round() else {
                Issue.record("a list with an unreadable item must fail the round")
                return
            }
            #expect(why.contains("items[1] (shop/bad): metadata.uid"), "\(why)")
            #expect(!cache.isSynced)
            #expect(cache.read { $0.count(.deployment) } == 0)
        }
    }
}
