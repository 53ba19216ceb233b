import Foundation
import Logging
import SingletonCore
import Testing
@testable import WebhookServer

/// The parent cache at scale: non-singletons reduced to a key and a uid hash, singletons kept
/// in full, relists in place, and decisions that still come from the cache.
@Suite("Parent cache: compact non-singletons, in-place relists")
struct CompactCacheTests {
    static func replicaSet(
        _ name: String, ns: String = "shop", uid: String, owner: String?, mode: String? = nil
    ) -> ObjectMeta {
        var annotations = ["deployment.kubernetes.io/revision": "4", "deployment.kubernetes.io/desired-replicas": "1"]
        if let mode { annotations["kube-singleton.dev/mode"] = mode }
        return ObjectMeta(
            name: name, namespace: ns, uid: uid, labels: ["app": owner ?? name, "pod-template-hash": "5d8f7c9b6d"],
            annotations: annotations,
            ownerReferences: owner.map {
                [OwnerReference(apiVersion: "apps/v1", kind: "Deployment", name: $0, uid: "d-\($0)", controller: true)]
            })
    }

    @Test("non-singletons take two words; what a decision reads of them survives: uid, owner, no contract")
    func compactEntries() {
        var store = ParentCacheStore()
        store.replace(
            .replicaSet,
            with: MetadataList(
                items: [
                    Self.replicaSet("web-5d8f7c9b6d", uid: "u1", owner: "web"),
                    Self.replicaSet("db-7f9c", uid: "u2", owner: "db", mode: "at-most-one"),
                    Self.replicaSet("loose", uid: "u3", owner: nil),
                    // Owned under a name that is not a prefix of its own: kept in full.
                    Self.replicaSet("handmade", uid: "u4", owner: "api"),
                ], resourceVersion: "7"))
        #expect(store.count(.replicaSet) == 4)
        let web = store.lookup(.replicaSet, namespace: "shop", name: "web-5d8f7c9b6d", uid: "u1")
        #expect(web == CachedParent(uid: "u1", annotations: nil, owningDeployment: "web"))
        // Without a uid to check (an HPA's target) the entry is found, its uid unknown.
        #expect(
            store.lookup(.replicaSet, namespace: "shop", name: "web-5d8f7c9b6d")
                == CachedParent(uid: nil, annotations: nil, owningDeployment: "web"))
        // Another uid: a recreated object the watch has not brought yet; the caller must ask.
        #expect(store.lookup(.replicaSet, namespace: "shop", name: "web-5d8f7c9b6d", uid: "u9") == nil)
        #expect(store.lookup(.replicaSet, namespace: "shop", name: "loose", uid: "u3")?.owningDeployment == nil)
        #expect(
            store.lookup(.replicaSet, namespace: "shop", name: "db-7f9c", uid: "u2")
                == CachedParent(
                    uid: "u2", annotations: ["kube-singleton.dev/mode": "at-most-one"], owningDeployment: "db"))
        #expect(store.lookup(.replicaSet, namespace: "shop", name: "handmade")?.owningDeployment == "api")
        #expect(store.lookup(.replicaSet, namespace: "other", name: "web-5d8f7c9b6d") == nil)
        #expect(store.lookup(.deployment, namespace: "shop", name: "web-5d8f7c9b6d") == nil)
    }

    @Test("watch events move an object between the compact set and the full table, and delete from both")
    func movesBetweenTables() {
        var store = ParentCacheStore()  // a watch event before any list: nothing to crash on
        let plain = ObjectMeta(name: "web", namespace: "shop", uid: "u1", annotations: ["a": "b"])
        var singleton = plain
        singleton.annotations = ["kube-singleton.dev/mode": "at-least-one"]
        store.apply(.deployment, .added(plain))
        #expect(store.lookup(.deployment, namespace: "shop", name: "web", uid: "u1")?.annotations == nil)
        store.apply(.deployment, .modified(singleton))
        #expect(store.count(.deployment) == 1)
        #expect(
            store.lookup(.deployment, namespace: "shop", name: "web", uid: "u1")?.annotations
                == ["kube-singleton.dev/mode": "at-least-one"])
        store.apply(.deployment, .modified(plain))
        #expect(store.count(.deployment) == 1)
        #expect(store.lookup(.deployment, namespace: "shop", name: "web", uid: "u1")?.annotations == nil)
        store.apply(.deployment, .deleted(plain))
        #expect(store.count(.deployment) == 0)
        #expect(store.lookup(.deployment, namespace: "shop", name: "web") == nil)
        store.apply(.deployment, .added(singleton))
        store.apply(.deployment, .deleted(singleton))
        #expect(store.lookup(.deployment, namespace: "shop", name: "web") == nil)
    }

    /// 20,000 ReplicaSets and 50 singletons, relisted in pages of 500 with a tenth of them
    /// replaced by others: the relist works in the arrays it has, so the footprint never
    /// goes past what the first list took, where building a fresh copy next to the old one
    /// would double it.
    @Test("a relist replaces the kind in place: its peak stays at the first list's size, not double")
    func relistInPlace() {
        func items(generation: Int) -> [ObjectMeta] {
            (0..<20_000).map { i in
                let n = i % 10 == 0 ? i + 1_000_000 * generation : i  // a tenth renamed each generation
                return Self.replicaSet(
                    "svc-\(n / 10)-\(n)", ns: "team-\(i % 200)", uid: "u-\(n)", owner: "svc-\(n / 10)",
                    mode: i % 400 == 0 && generation == 0 ? "at-most-one" : nil)
            }
        }
        var store = ParentCacheStore()
        let first = items(generation: 0)
        store.replace(.replicaSet, with: MetadataList(items: first, resourceVersion: "1"))
        #expect(store.count(.replicaSet) == 20_000)
        let before = store.footprint(.replicaSet)
        #expect(before < 20_000 * 24, "\(before) bytes for 20,000 entries")

        let second = items(generation: 1)
        var peak = before
        store.beginRelist(.replicaSet, expecting: second.count)
        peak = max(peak, store.footprint(.replicaSet))
        for start in stride(from: 0, to: second.count, by: 500) {
            store.addListed(.replicaSet, Array(second[start..<min(start + 500, second.count)]))
            peak = max(peak, store.footprint(.replicaSet))
            // Lookups keep working from the old entries while the relist runs.
            #expect(store.lookup(.replicaSet, namespace: "team-1", name: "svc-0-1", uid: "u-1") != nil)
        }
        store.finishRelist(.replicaSet, resourceVersion: "2")
        peak = max(peak, store.footprint(.replicaSet))
        #expect(peak <= before + before / 10, "peak \(peak) bytes during the relist, \(before) before")
        #expect(store.count(.replicaSet) == 20_000)
        #expect(store.resourceVersion(.replicaSet) == "2")
        // Renamed ones are gone, their successors present; singletons that lost the annotation are compact.
        #expect(store.lookup(.replicaSet, namespace: "team-10", name: "svc-1-10") == nil)
        #expect(store.lookup(.replicaSet, namespace: "team-10", name: "svc-100001-1000010", uid: "u-1000010") != nil)
        #expect(store.lookup(.replicaSet, namespace: "team-0", name: "svc-0-0") == nil)
        #expect(store.lookup(.replicaSet, namespace: "team-1", name: "svc-0-1")?.annotations == nil)
    }

    @Test("a relist that fails part-way and starts over forgets what the failed attempt marked")
    func restartedRelist() {
        let a = Self.replicaSet("web-a", uid: "ua", owner: "web")
        let b = Self.replicaSet("web-b", uid: "ub", owner: "web")
        let c = Self.replicaSet("web-c", uid: "uc", owner: "web", mode: "at-most-one")
        var store = ParentCacheStore()
        store.replace(.replicaSet, with: MetadataList(items: [a, b, c], resourceVersion: "1"))
        store.beginRelist(.replicaSet)
        store.addListed(.replicaSet, [a, c])  // then 410: the continue token expired
        store.beginRelist(.replicaSet)  // meanwhile a and c were deleted
        store.addListed(.replicaSet, [b])
        store.finishRelist(.replicaSet, resourceVersion: "9")
        #expect(store.count(.replicaSet) == 1)
        #expect(store.lookup(.replicaSet, namespace: "shop", name: "web-a") == nil)
        #expect(store.lookup(.replicaSet, namespace: "shop", name: "web-c") == nil)
        #expect(store.lookup(.replicaSet, namespace: "shop", name: "web-b", uid: "ub") != nil)
    }

    // MARK: - Decisions

    /// `kubectl scale` (examples/reviews/07) aimed at `resource` `namespace/name` with `uid`.
    static func scaleRequest(resource: String, namespace: String, name: String, uid: String) throws -> AdmissionRequest
    {
        var review = try #require(
            try JSONSerialization.jsonObject(with: Fixtures.review("07-kubectl-scale-denied.json")) as? [String: Any])
        var request = try #require(review["request"] as? [String: Any])
        request["name"] = name
        request["namespace"] = namespace
        for key in ["resource", "requestResource"] {
            var r = try #require(request[key] as? [String: Any])
            r["resource"] = resource
            request[key] = r
        }
        for key in ["object", "oldObject"] {
            var object = try #require(request[key] as? [String: Any])
            var meta = try #require(object["metadata"] as? [String: Any])
            meta["name"] = name
            meta["namespace"] = namespace
            meta["uid"] = uid
            object["metadata"] = meta
            request[key] = object
        }
        review["request"] = request
        let body = try JSONSerialization.data(withJSONObject: review)
        return try AdmissionReview.decodeRequest(bytes: [UInt8](body)).get()
    }

    /// Decides a scale request with the parent found by a resolver over `cache`, whose API
    /// fallback is `api`; returns the decision and whether the API was asked.
    static func decide(
        _ request: AdmissionRequest, cache: ParentCache, api: FakeWorkloadAPI
    ) async throws -> (AdmissionDecision, askedAPI: Bool) {
        let policy = SingletonPolicy()
        let ref = try #require(policy.parentReference(for: request))
        let gets = await api.gets
        let resolver = ParentResolver(
            cache: cache, source: InProcessSource(api: api), metrics: nil, logger: Logger(label: "test"))
        let parent = await resolver.resolve(ref)
        return (policy.decide(request, parent: parent), await api.gets > gets)
    }

    @Test("scale decisions from the compact cache: singletons denied, non-singletons allowed, no API call")
    func decisionsFromTheCache() async throws {
        let api = FakeWorkloadAPI()
        let cache = ParentCache(kinds: [.deployment, .replicaSet])
        let web = ObjectMeta(
            name: "web", namespace: "shop", uid: "6a3e1f0c-9d2b-4b7e-8c1a-2f4d5e6a7b8c",
            annotations: ["kube-singleton.dev/mode": "at-most-one"])
        let api2 = ObjectMeta(name: "api", namespace: "shop", uid: "d-api", annotations: ["team": "x"])
        cache.update {
            $0.replace(.deployment, with: MetadataList(items: [web, api2], resourceVersion: "5"))
            $0.replace(
                .replicaSet,
                with: MetadataList(
                    items: [
                        Self.replicaSet("web-5d8f7c9b6d", uid: "rs-web", owner: "web", mode: "at-most-one"),
                        Self.replicaSet("api-7f9c8d", uid: "rs-api", owner: "api"),
                        Self.replicaSet("loose", uid: "rs-loose", owner: nil),
                    ], resourceVersion: "5"))
        }

        // The singleton Deployment itself (the example review as recorded).
        let (deployment, asked1) = try await Self.decide(
            Self.scaleRequest(resource: "deployments", namespace: "shop", name: "web", uid: web.uid!), cache: cache,
            api: api)
        #expect(!deployment.allowed && deployment.rule == .replicas && !asked1)

        // Its ReplicaSet, the owner chain kept in full: denied, naming the Deployment to scale instead.
        let (ownedSingleton, asked2) = try await Self.decide(
            Self.scaleRequest(resource: "replicasets", namespace: "shop", name: "web-5d8f7c9b6d", uid: "rs-web"),
            cache: cache, api: api)
        #expect(!ownedSingleton.allowed && !asked2)
        #expect(ownedSingleton.message?.contains("Deployment shop/web") == true, "\(ownedSingleton)")

        // A compact non-singleton ReplicaSet: still known to be owned by its Deployment.
        let (owned, asked3) = try await Self.decide(
            Self.scaleRequest(resource: "replicasets", namespace: "shop", name: "api-7f9c8d", uid: "rs-api"),
            cache: cache, api: api)
        #expect(owned.allowed && owned.rule == .ownedByDeployment && !asked3)

        // A compact non-singleton nobody owns, and a plain Deployment.
        let (loose, asked4) = try await Self.decide(
            Self.scaleRequest(resource: "replicasets", namespace: "shop", name: "loose", uid: "rs-loose"),
            cache: cache, api: api)
        #expect(loose.allowed && loose.rule == .notOurs && !asked4)
        let (plain, asked5) = try await Self.decide(
            Self.scaleRequest(resource: "deployments", namespace: "shop", name: "api", uid: "d-api"), cache: cache,
            api: api)
        #expect(plain.allowed && plain.rule == .notOurs && !asked5)
    }

    @Test(
        "an object the cache does not hold, or holds with another uid, is asked of the API, not taken as a non-singleton"
    )
    func missesGoToTheAPI() async throws {
        let api = FakeWorkloadAPI()
        let cache = ParentCache(kinds: [.deployment, .replicaSet])
        cache.update {
            $0.replace(.deployment, with: MetadataList(items: [], resourceVersion: "5"))
            $0.replace(
                .replicaSet,
                with: MetadataList(
                    items: [Self.replicaSet("api-7f9c8d", uid: "old", owner: "api")], resourceVersion: "5"))
        }
        // Just created as a singleton, not in the cache yet; and the ReplicaSet recreated as one.
        await api.put(
            .deployment,
            ObjectMeta(
                name: "fresh", namespace: "shop", uid: "new", annotations: ["kube-singleton.dev/mode": "at-most-one"]))
        await api.put(.replicaSet, Self.replicaSet("api-7f9c8d", uid: "new-rs", owner: nil, mode: "at-most-one"))

        let (fresh, asked1) = try await Self.decide(
            Self.scaleRequest(resource: "deployments", namespace: "shop", name: "fresh", uid: "new"), cache: cache,
            api: api)
        #expect(!fresh.allowed && fresh.rule == .replicas && asked1)
        let (recreated, asked2) = try await Self.decide(
            Self.scaleRequest(resource: "replicasets", namespace: "shop", name: "api-7f9c8d", uid: "new-rs"),
            cache: cache, api: api)
        #expect(!recreated.allowed && recreated.rule == .replicas && asked2)
        // The old uid still matches the cached non-singleton: no API call.
        let (old, asked3) = try await Self.decide(
            Self.scaleRequest(resource: "replicasets", namespace: "shop", name: "api-7f9c8d", uid: "old"),
            cache: cache, api: api)
        #expect(old.allowed && old.rule == .ownedByDeployment && !asked3)
    }
}

/// `FakeWorkloadAPI`'s objects without HTTP, for tests about what is asked, not how.
struct InProcessSource: MetadataSource {
    let api: FakeWorkloadAPI

    func list(_ kind: WorkloadKind, namespace: String?) async throws -> MetadataList {
        throw MetadataSourceError.failed("not used")
    }

    func watch(
        _ kind: WorkloadKind, namespace: String?, resourceVersion: String
    ) async throws
        -> AsyncThrowingStream<MetadataWatchEvent, any Error>
    {
        throw MetadataSourceError.failed("not used")
    }

    func get(_ kind: WorkloadKind, namespace: String, name: String) async throws -> ObjectMeta? {
        await api.object(kind, namespace: namespace, name: name)
    }
}
