import Testing
import TestSupport
@testable import WebhookServer

/// `ParentTable` against a plain dictionary doing the same operations: inserts, replacements,
/// removals and lookups in a seeded random order, through growth, tombstones and compaction.
@Suite("ParentTable: the compact parent index agrees with a dictionary")
struct ParentTableTests {
    struct Key: Hashable { var namespace: String, name: String }

    static func parent<R: RandomNumberGenerator>(_ rng: inout R) -> CachedParent {
        let uid: String? =
            Int.random(in: 0..<10, using: &rng) == 0 ? nil : "u-\(UInt32.random(in: 0...UInt32.max, using: &rng))"
        switch Int.random(in: 0..<5, using: &rng) {
        case 4:
            return CachedParent(
                uid: uid, annotations: ["kube-singleton.dev/mode": "at-most-one"],
                owningDeployment: Int.random(in: 0..<2, using: &rng) == 0
                    ? "" : "web-\(Int.random(in: 0..<99, using: &rng))")
        case 0: return CachedParent(uid: uid, annotations: nil)
        case 1: return CachedParent(uid: uid, annotations: [:])
        case 2: return CachedParent(uid: uid, annotations: ["kube-singleton.dev/mode": "at-most-one"])
        default:
            return CachedParent(
                uid: uid,
                annotations: [
                    "kube-singleton.dev/mode": "at-least-one",
                    "kube-singleton.dev/lease": String(repeating: "é", count: Int.random(in: 0..<300, using: &rng)),
                ])
        }
    }

    @Test("random operations", arguments: [1 as UInt64, 2, 3, 42])
    func agreesWithDictionary(seed: UInt64) {
        var rng = SplitMix64(seed: seed)
        var table = ParentTable()
        var model: [Key: CachedParent] = [:]
        // Few namespaces and names so keys repeat (replacements, removals of present keys);
        // "a/b" + "c" vs "a" + "b/c" style neighbours must never be confused.
        let namespaces = ["", "shop", "shop-a", "team"]
        for _ in 0..<6_000 {
            let key = Key(
                namespace: namespaces.randomElement(using: &rng)!, name: "w\(Int.random(in: 0..<700, using: &rng))")
            switch Int.random(in: 0..<10, using: &rng) {
            case 0..<5:
                let p = Self.parent(&rng)
                table.set(namespace: key.namespace, name: key.name, p)
                model[key] = p
            case 5..<7:
                table.remove(namespace: key.namespace, name: key.name)
                model[key] = nil
            default:
                #expect(table.lookup(namespace: key.namespace, name: key.name) == model[key])
            }
            #expect(table.count == model.count)
        }
        for (key, value) in model { #expect(table.lookup(namespace: key.namespace, name: key.name) == value) }
        #expect(table.lookup(namespace: "shop", name: "missing") == nil)
    }

    @Test("a list-sized table: 10,000 entries, all found, then all removed")
    func large() {
        var table = ParentTable(minimumCapacity: 10_000)
        for i in 0..<10_000 {
            table.set(
                namespace: "bench", name: "bench-\(i)",
                CachedParent(
                    uid: "uid-\(i)", annotations: i % 10 == 0 ? ["kube-singleton.dev/mode": "at-most-one"] : nil))
        }
        #expect(table.count == 10_000)
        for i in stride(from: 0, to: 10_000, by: 7) {
            #expect(table.lookup(namespace: "bench", name: "bench-\(i)")?.uid == "uid-\(i)")
            #expect(
                table.lookup(namespace: "bench", name: "bench-\(i)")?.annotations?["kube-singleton.dev/mode"]
                    == (i % 10 == 0 ? "at-most-one" : nil))
        }
        #expect(table.lookup(namespace: "benc", name: "hbench-1") == nil)
        for i in 0..<10_000 { table.remove(namespace: "bench", name: "bench-\(i)") }
        #expect(table.count == 0)
        #expect(table.lookup(namespace: "bench", name: "bench-0") == nil)
    }
}
