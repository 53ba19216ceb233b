import SingletonCore
import Testing
@testable import WebhookServer

@Suite("ParentCacheStore: the pure cache state machine")
struct ParentCacheStoreTests {
    static func meta(
        _ name: String, ns: String = "shop", uid: String, rv: String? = nil, mode: String? = nil
    ) -> ObjectMeta {
        var m = ObjectMeta(
            name: name, namespace: ns, uid: uid,
            labels: ["app": name],
            annotations: mode.map { ["kube-singleton.dev/mode": $0, "deployment.kubernetes.io/revision": "3"] }
                ?? ["deployment.kubernetes.io/revision": "3"])
        m.resourceVersion = rv
        return m
    }

    @Test("a list replaces the kind, sets its resourceVersion and marks it synced")
    func replace() {
        var store = ParentCacheStore()
        #expect(!store.isSynced(.deployment))
        store.replace(
            .deployment,
            with: MetadataList(
                items: [Self.meta("web", uid: "u1", mode: "at-most-one"), Self.meta("api", uid: "u2")],
                resourceVersion: "100"))
        #expect(store.isSynced(.deployment))
        #expect(!store.isSynced(.statefulSet))
        #expect(store.count(.deployment) == 2)
        #expect(store.resourceVersion(.deployment) == "100")
        // Relist drops what vanished.
        store.replace(.deployment, with: MetadataList(items: [Self.meta("api", uid: "u2")], resourceVersion: "120"))
        #expect(store.lookup(.deployment, namespace: "shop", name: "web") == nil)
        #expect(store.count(.deployment) == 1)
    }

    @Test("only kube-singleton.dev annotations and the uid are kept")
    func trimming() {
        var store = ParentCacheStore()
        store.replace(
            .statefulSet,
            with: MetadataList(
                items: [Self.meta("db", uid: "u9", mode: "at-least-one"), Self.meta("plain", uid: "u8")],
                resourceVersion: "1"))
        let db = store.lookup(.statefulSet, namespace: "shop", name: "db")
        #expect(db?.uid == "u9")
        #expect(db?.annotations == ["kube-singleton.dev/mode": "at-least-one"])
        #expect(store.lookup(.statefulSet, namespace: "shop", name: "plain")?.annotations == nil)
        #expect(
            db?.meta(namespace: "shop", name: "db").contract
                == ContractState(annotations: ["kube-singleton.dev/mode": "at-least-one"]))
    }

    @Test("watch events add, modify and delete; bookmarks only move the resourceVersion")
    func events() {
        var store = ParentCacheStore()
        store.replace(.replicaSet, with: MetadataList(items: [], resourceVersion: "5"))
        store.apply(.replicaSet, .added(Self.meta("rs1", uid: "a", rv: "6")))
        #expect(store.lookup(.replicaSet, namespace: "shop", name: "rs1", uid: "a")?.uid == "a")
        #expect(store.resourceVersion(.replicaSet) == "6")
        store.apply(.replicaSet, .modified(Self.meta("rs1", uid: "a", rv: "7", mode: "at-most-one")))
        #expect(
            store.lookup(.replicaSet, namespace: "shop", name: "rs1")?.annotations?["kube-singleton.dev/mode"]
                == "at-most-one")
        store.apply(.replicaSet, .bookmark(resourceVersion: "9"))
        #expect(store.resourceVersion(.replicaSet) == "9")
        #expect(store.count(.replicaSet) == 1)
        store.apply(.replicaSet, .deleted(Self.meta("rs1", uid: "a", rv: "10")))
        #expect(store.lookup(.replicaSet, namespace: "shop", name: "rs1") == nil)
        #expect(store.resourceVersion(.replicaSet) == "10")
        // Same name in another namespace is another object.
        store.apply(.replicaSet, .added(Self.meta("rs1", ns: "other", uid: "b", rv: "11")))
        #expect(store.lookup(.replicaSet, namespace: "shop", name: "rs1") == nil)
        #expect(store.lookup(.replicaSet, namespace: "other", name: "rs1", uid: "b")?.uid == "b")
    }

    @Test("invalidate forgets the resourceVersion but keeps serving the objects and the synced flag")
    func invalidate() {
        var store = ParentCacheStore()
        store.replace(
            .replicationController, with: MetadataList(items: [Self.meta("rc", uid: "r")], resourceVersion: "3"))
        store.invalidate(.replicationController)
        #expect(store.resourceVersion(.replicationController) == nil)
        #expect(store.lookup(.replicationController, namespace: "shop", name: "rc", uid: "r")?.uid == "r")
        #expect(store.isSynced(.replicationController))
    }

    @Test("nameless items are ignored, not crashed on")
    func nameless() {
        var store = ParentCacheStore()
        store.replace(
            .deployment, with: MetadataList(items: [ObjectMeta(namespace: "x", uid: "u")], resourceVersion: "1"))
        store.apply(.deployment, .added(ObjectMeta(uid: "v")))
        store.apply(.deployment, .deleted(ObjectMeta()))
        #expect(store.count(.deployment) == 0)
    }
}
