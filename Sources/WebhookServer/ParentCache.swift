import Foundation
import SingletonCore

/// The shared, locked parent cache the hot path reads: a `ParentCacheStore` behind a lock.
public final class ParentCache: @unchecked Sendable {
    /// The kinds this cache follows (all four workload kinds).
    public let kinds: [WorkloadKind]
    private let lock = NSLock()
    private var store = ParentCacheStore()

    public init(kinds: [WorkloadKind] = WorkloadKind.allCases) {
        self.kinds = kinds
    }

    public func update<R>(_ body: (inout ParentCacheStore) -> R) -> R {
        lock.lock()
        defer { lock.unlock() }
        return body(&store)
    }

    public func read<R>(_ body: (ParentCacheStore) -> R) -> R {
        lock.lock()
        defer { lock.unlock() }
        return body(store)
    }

    public func lookup(_ ref: ParentReference) -> CachedParent? {
        read { $0.lookup(ref.kind, namespace: ref.namespace, name: ref.name) }
    }

    /// True once every kind has completed its first list: what /readyz reports.
    public var isSynced: Bool { read { store in kinds.allSatisfy(store.isSynced) } }

    public var state: [CacheKindState] {
        read { store in kinds.map { CacheKindState(kind: $0.resource, objects: store.count($0), synced: store.isSynced($0)) } }
    }
}
