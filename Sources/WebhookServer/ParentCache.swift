import SingletonCore
import Synchronization

/// The shared, locked parent cache the hot path reads: a `ParentCacheStore` behind a lock,
/// and when each kind last heard from the API server.
///
/// Why the contact times: a watch can stall without failing (a frozen stream, a proxy that
/// keeps the connection open). The cache then silently misses every change, and a stale
/// cache allows exactly what the webhook exists to deny. Past `maxStaleness` a kind's
/// entries are no longer trusted (lookups go to the API server) and /readyz says why.
///
/// Kinds served by a CRD (Argo Rollouts) are optional: readiness never waits for them, and
/// while their CRD is not installed they count as such, not as unsynced or stale.
public final class ParentCache: Sendable {
    /// The kinds this cache follows (every workload kind).
    public let kinds: [WorkloadKind]
    /// How long a kind may go without news from the API server before it counts as stale.
    public let maxStaleness: Duration
    private let now: @Sendable () -> ContinuousClock.Instant
    private struct State {
        var store = ParentCacheStore()
        var contact: [WorkloadKind: ContinuousClock.Instant] = [:]
        /// Custom resources whose CRD the last list found missing.
        var notInstalled: Set<WorkloadKind> = []
    }
    private let guarded = Mutex(State())

    public init(
        kinds: [WorkloadKind] = WorkloadKind.allCases, maxStaleness: Duration = .seconds(180),
        now: @escaping @Sendable () -> ContinuousClock.Instant = { .now }
    ) {
        self.kinds = kinds
        self.maxStaleness = maxStaleness
        self.now = now
    }

    public func update<R: Sendable>(_ body: (inout ParentCacheStore) -> R) -> R {
        guarded.withLock { body(&$0.store) }
    }

    public func read<R: Sendable>(_ body: (ParentCacheStore) -> R) -> R {
        guarded.withLock { body($0.store) }
    }

    /// Records that `kind` just heard from the API server (a list, an accepted watch, an
    /// event or a bookmark), optionally applying a change in the same critical section.
    public func heardFrom(_ kind: WorkloadKind, _ body: (inout ParentCacheStore) -> Void = { _ in }) {
        let at = now()
        guarded.withLock {
            $0.contact[kind] = at
            $0.notInstalled.remove(kind)
            body(&$0.store)
        }
    }

    /// Records that `kind`'s CRD is not installed: whatever was cached of it is dropped
    /// (lookups go to the API server) and it no longer counts toward staleness.
    public func markNotInstalled(_ kind: WorkloadKind) {
        guarded.withLock {
            $0.contact[kind] = nil
            $0.notInstalled.insert(kind)
            $0.store.replace(kind, with: MetadataList(items: [], resourceVersion: ""))
            $0.store.invalidate(kind)
        }
    }

    /// True while the last list of `kind` found its CRD missing.
    public func isNotInstalled(_ kind: WorkloadKind) -> Bool { guarded.withLock { $0.notInstalled.contains(kind) } }

    /// The kinds readiness waits for: the built-in ones (a CRD may never be installed).
    private var requiredKinds: [WorkloadKind] { kinds.filter { !$0.isCustomResource } }

    /// A cached parent with the uid `ref` expects, unless its kind is stale (then the caller
    /// asks the API server).
    public func lookup(_ ref: ParentReference) -> CachedParent? {
        let at = now()
        return guarded.withLock { state -> CachedParent? in
            if let last = state.contact[ref.kind], at - last > maxStaleness { return nil }
            return state.store.lookup(ref.kind, namespace: ref.namespace, name: ref.name, uid: ref.expectedUID)
        }
    }

    /// Time since `kind` last heard from the API server; nil before its first list.
    public func staleness(_ kind: WorkloadKind) -> Duration? {
        let at = now()
        return guarded.withLock { $0.contact[kind].map { at - $0 } }
    }

    /// True once every built-in kind has completed its first list.
    public var isSynced: Bool {
        let required = requiredKinds
        return read { store in required.allSatisfy(store.isSynced) }
    }

    /// Why /readyz should fail, or nil: a built-in kind not listed yet, or a kind stale past
    /// `maxStaleness`.
    public var unreadyReason: String? {
        let at = now()
        let required = requiredKinds
        return guarded.withLock { state -> String? in
            if let kind = required.first(where: { !state.store.isSynced($0) }) {
                return "parent cache not synced yet (\(kind.resource))"
            }
            for kind in kinds {
                if let last = state.contact[kind], at - last > maxStaleness {
                    return
                        "parent cache stale: no news of \(kind.resource) from the API server for \(Self.seconds(at - last)) s (limit \(Self.seconds(maxStaleness)) s)"
                }
            }
            return nil
        }
    }

    public var state: [CacheKindState] {
        let at = now()
        return guarded.withLock { state in
            kinds.map {
                CacheKindState(
                    kind: $0.resource, objects: state.store.count($0), synced: state.store.isSynced($0),
                    stalenessSeconds: state.contact[$0].map { (at - $0).secondsValue })
            }
        }
    }

    private static func seconds(_ d: Duration) -> Int64 { d.components.seconds }
}
