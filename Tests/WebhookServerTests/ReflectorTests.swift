import KubeAPIMachinery
import Logging
import SingletonCore
import Testing
import TestSupport
@testable import WebhookServer

/// A scripted MetadataSource: each list/watch call takes the next scripted answer.
actor ScriptedSource: MetadataSource {
    enum WatchScript {
        case events([MetadataWatchEvent])  // then the stream ends (server timeout)
        case eventsThenGone([MetadataWatchEvent])
        case fail(String)
        case hang  // stays open until cancelled
    }
    var lists: [Result<MetadataList, MetadataSourceError>]
    var watches: [WatchScript]
    private(set) var listCalls = 0
    private(set) var watchFrom: [String] = []
    var objects: [String: ObjectMeta] = [:]

    init(lists: [Result<MetadataList, MetadataSourceError>], watches: [WatchScript]) {
        self.lists = lists
        self.watches = watches
    }

    func list(_ kind: WorkloadKind, namespace: String?) async throws -> MetadataList {
        listCalls += 1
        guard !lists.isEmpty else { throw MetadataSourceError.failed("no more scripted lists") }
        return try lists.removeFirst().get()
    }

    func watch(
        _ kind: WorkloadKind, namespace: String?, resourceVersion: String
    ) async throws
        -> AsyncThrowingStream<MetadataWatchEvent, any Error>
    {
        watchFrom.append(resourceVersion)
        let script = watches.isEmpty ? .hang : watches.removeFirst()
        switch script {
        case .fail(let why):
            throw MetadataSourceError.failed(why)
        case .events(let events):
            return AsyncThrowingStream { c in
                for e in events { c.yield(e) }
                c.finish()
            }
        case .eventsThenGone(let events):
            return AsyncThrowingStream { c in
                for e in events { c.yield(e) }
                c.finish(throwing: MetadataSourceError.gone)
            }
        case .hang:
            return AsyncThrowingStream { _ in }
        }
    }

    func get(_ kind: WorkloadKind, namespace: String, name: String) async throws -> ObjectMeta? {
        objects["\(namespace)/\(name)"]
    }
}

@Suite("Reflector: list, watch, bookmarks, 410 relist, backoff")
struct ReflectorTests {
    let logger = Logger(label: "test")

    func reflector(_ source: ScriptedSource, _ cache: ParentCache, _ metrics: WebhookMetrics? = nil) -> Reflector {
        Reflector(
            kind: .deployment, namespace: nil, source: source, cache: cache,
            backoff: Backoff(initial: .milliseconds(1), maximum: .milliseconds(5)), metrics: metrics, logger: logger)
    }

    @Test("a round lists, then watches from the list's resourceVersion and applies events and bookmarks")
    func listThenWatch() async {
        let source = ScriptedSource(
            lists: [
                .success(
                    MetadataList(items: [ParentCacheStoreTests.meta("web", uid: "u1", rv: "10")], resourceVersion: "10")
                )
            ],
            watches: [
                .events([
                    .added(ParentCacheStoreTests.meta("api", uid: "u2", rv: "11")), .bookmark(resourceVersion: "15"),
                ]), .events([]),
            ])
        let cache = ParentCache(kinds: [.deployment])
        let r = reflector(source, cache)
        #expect(await r.round() == .watchEnded)
        #expect(await source.watchFrom == ["10"])
        #expect(cache.read { $0.count(.deployment) } == 2)
        #expect(cache.read { $0.resourceVersion(.deployment) } == "15")
        // The next round resumes from the bookmark without listing again.
        #expect(await r.round() == .watchEnded)
        #expect(await source.listCalls == 1)
        #expect(await source.watchFrom == ["10", "15"])
    }

    @Test("410 Gone invalidates and the next round relists")
    func goneRelists() async {
        let source = ScriptedSource(
            lists: [
                .success(MetadataList(items: [], resourceVersion: "1")),
                .success(MetadataList(items: [ParentCacheStoreTests.meta("web", uid: "u1")], resourceVersion: "50")),
            ],
            watches: [.eventsThenGone([]), .events([])])
        let cache = ParentCache(kinds: [.deployment])
        let metrics = WebhookMetrics()
        let r = reflector(source, cache, metrics)
        #expect(await r.round() == .gone)
        cache.update { $0.invalidate(.deployment) }  // what run() does on .gone
        #expect(await r.round() == .watchEnded)
        #expect(await source.listCalls == 2)
        #expect(await source.watchFrom == ["1", "50"])
        #expect(
            cache.lookup(ParentReference(kind: .deployment, namespace: "shop", name: "web", expectedUID: "u1"))?.uid
                == "u1")
        #expect(metrics.render().contains("singleton_webhook_parent_cache_relists_total{kind=\"deployments\"} 2"))
    }

    @Test("run() retries failed lists and watches with backoff until synced, then keeps watching")
    func runRetries() async {
        let source = ScriptedSource(
            lists: [
                .failure(.failed("connection refused")), .failure(.failed("503")),
                .success(MetadataList(items: [ParentCacheStoreTests.meta("web", uid: "u1")], resourceVersion: "7")),
            ],
            watches: [
                .fail("reset"),
                .events([.modified(ParentCacheStoreTests.meta("web", uid: "u1", rv: "8", mode: "at-most-one"))]), .hang,
            ])
        let cache = ParentCache(kinds: [.deployment])
        let r = reflector(source, cache)
        let task = Task { await r.run() }
        // Bounded wait for the scripted sequence to play out (no timing assertion).
        for _ in 0..<2000 where await source.watchFrom.count < 3 { try? await Task.sleep(for: .milliseconds(5)) }
        task.cancel()
        await task.value
        #expect(await source.listCalls == 3)
        #expect(await source.watchFrom == ["7", "7", "8"])
        #expect(cache.isSynced)
        #expect(
            cache.lookup(ParentReference(kind: .deployment, namespace: "shop", name: "web"))?.annotations?[
                "kube-singleton.dev/mode"] == "at-most-one")
    }
}

@Suite("ParentResolver: cache first, GET on a miss, uid checks")
struct ParentResolverTests {
    @Test("hit, miss answered by GET, uid mismatch, not found, disabled")
    func resolve() async {
        let source = ScriptedSource(lists: [], watches: [])
        await source.setObject(ParentCacheStoreTests.meta("fresh", uid: "u-fresh", mode: "at-most-one"))
        await source.setObject(ParentCacheStoreTests.meta("recreated", uid: "u-new", mode: "at-most-one"))
        let cache = ParentCache(kinds: [.deployment])
        cache.update {
            $0.replace(
                .deployment,
                with: MetadataList(
                    items: [
                        ParentCacheStoreTests.meta("web", uid: "u1", mode: "at-most-one"),
                        ParentCacheStoreTests.meta("recreated", uid: "u-old"),
                    ], resourceVersion: "1"))
        }
        let metrics = WebhookMetrics()
        let resolver = ParentResolver(cache: cache, source: source, metrics: metrics, logger: Logger(label: "t"))
        func ref(_ name: String, _ uid: String?) -> ParentReference {
            ParentReference(kind: .deployment, namespace: "shop", name: name, expectedUID: uid)
        }
        guard case .found(let web) = await resolver.resolve(ref("web", "u1")) else {
            Issue.record("web not found"); return
        }
        #expect(web.contract != .absent)
        guard case .found(let fresh) = await resolver.resolve(ref("fresh", "u-fresh")) else {
            Issue.record("fresh not found"); return
        }
        #expect(fresh.uid == "u-fresh")
        // The cache holds an older object of that name: the GET's newer uid is used.
        guard case .found(let recreated) = await resolver.resolve(ref("recreated", "u-new")) else {
            Issue.record("recreated"); return
        }
        #expect(recreated.uid == "u-new")
        #expect(await resolver.resolve(ref("ghost", nil)) == .notFound)
        let text = metrics.render()
        #expect(text.contains("singleton_webhook_parent_lookups_total{source=\"cache\"} 1"))
        #expect(text.contains("singleton_webhook_parent_lookups_total{source=\"api\"} 3"))
        #expect(text.contains("singleton_webhook_parent_lookup_failures_total{reason=\"not-found\"} 1"))

        let disabled = ParentResolver(cache: nil, source: nil, metrics: nil, logger: Logger(label: "t"))
        guard case .unavailable = await disabled.resolve(ref("web", "u1")) else {
            Issue.record("expected unavailable"); return
        }
    }
}

extension ScriptedSource {
    func setObject(_ meta: ObjectMeta) {
        objects["\(meta.namespace ?? "")/\(meta.name ?? "")"] = meta
    }
}

@Suite("Reflector: a custom resource whose CRD is not installed")
struct OptionalCRDReflectorTests {
    @Test("a 404 list marks the kind not installed, readiness does not wait for it, a later list picks it up")
    func notInstalledThenInstalled() async throws {
        let source = ScriptedSource(
            lists: [
                .failure(.notInstalled), .failure(.notInstalled),
                .success(MetadataList(items: [ParentCacheStoreTests.meta("web", uid: "u1")], resourceVersion: "3")),
            ],
            watches: [.hang])
        let cache = ParentCache(kinds: [.deployment, .rollout])
        cache.heardFrom(.deployment) { $0.replace(.deployment, with: MetadataList(items: [], resourceVersion: "1")) }
        #expect(cache.unreadyReason == nil, "a CRD that may never be installed does not hold readiness")
        let reflector = Reflector(
            kind: .rollout, namespace: nil, source: source, cache: cache,
            backoff: Backoff(initial: .seconds(30), maximum: .seconds(30)), absentRetry: .milliseconds(20),
            logger: Logger(label: "test"))
        #expect(await reflector.round() == .notInstalled)
        let task = Task { await reflector.run() }
        try await waitFor("the CRD picked up") {
            cache.lookup(ParentReference(kind: .rollout, namespace: "shop", name: "web", expectedUID: "u1"))?.uid
                == "u1"
        }
        task.cancel()
        // Three lists: two 404s each followed by the slow retry (not the 30 s failure backoff).
        #expect(await source.listCalls == 3)
        #expect(!cache.isNotInstalled(.rollout))
        #expect(cache.unreadyReason == nil)
    }

    @Test("marking a kind not installed drops what was cached of it and its staleness")
    func markNotInstalled() {
        let cache = ParentCache(kinds: [.deployment, .rollout], maxStaleness: .zero)
        cache.heardFrom(.rollout) {
            $0.replace(
                .rollout,
                with: MetadataList(items: [ParentCacheStoreTests.meta("web", uid: "u1")], resourceVersion: "2"))
        }
        cache.markNotInstalled(.rollout)
        #expect(cache.isNotInstalled(.rollout))
        #expect(cache.read { $0.count(.rollout) } == 0)
        #expect(cache.read { $0.resourceVersion(.rollout) } == nil, "the next round lists again")
        #expect(cache.staleness(.rollout) == nil)
    }
}
