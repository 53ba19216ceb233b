import SingletonCore

/// What a decision needs of a workload: its uid, its `kube-singleton.dev/` annotations and the
/// name of an owning Deployment (a ReplicaSet's, which the scale rule points the user at);
/// labels, other annotations and owner references are dropped. Singletons are stored so in
/// full (`ParentTable`), the others as far less (`ParentKeySet`).
public struct CachedParent: Sendable, Equatable {
    public var uid: String?
    public var annotations: [String: String]?
    public var owningDeployment: String?

    public init(_ meta: ObjectMeta) {
        uid = meta.uid
        let ours = meta.annotations?.filter { $0.key.hasPrefix(Self.annotationPrefix) }
        annotations = (ours?.isEmpty ?? true) ? nil : ours
        owningDeployment = meta.owningDeployment
    }

    init(uid: String?, annotations: [String: String]?, owningDeployment: String? = nil) {
        self.uid = uid
        self.annotations = annotations
        self.owningDeployment = owningDeployment
    }

    static let annotationPrefix = "kube-singleton.dev/"

    /// The metadata handed to the decision core.
    func meta(namespace: String, name: String) -> ObjectMeta {
        let owners = owningDeployment.map {
            [OwnerReference(apiVersion: "apps/v1", kind: "Deployment", name: $0, uid: "", controller: true)]
        }
        return ObjectMeta(name: name, namespace: namespace, uid: uid, annotations: annotations, ownerReferences: owners)
    }
}

/// The parent cache's state as a plain value: lists replace a kind, watch events update
/// it, lookups read it. No I/O and no clock, so every transition is tested directly;
/// `ParentCache` wraps it in a lock and `Reflector` drives it from a `MetadataSource`.
///
/// Each kind keeps its singletons (any `kube-singleton.dev/` annotation) in full in a
/// `ParentTable`, and every other parent as two words in a `ParentKeySet`: a decision about a
/// non-singleton needs only to know that it is one, whether a Deployment owns it, and its uid.
///
/// A relist updates the kind in place, page by page, instead of building a second copy next to
/// the first: every entry the list brings is marked, and `finishRelist` drops the unmarked ones.
/// Lookups meanwhile see each object either as it was or as the list has it, as they would a
/// watch that lags; a relist that fails part-way leaves the old entries serving.
public struct ParentCacheStore: Sendable {
    private struct KindEntries: Sendable {
        var singletons = ParentTable()
        var others = ParentKeySet()
        /// While a relist runs: `namespace/name` of the full entries it has brought so far.
        var relistSeen: Set<String>?
    }
    private var objects: [WorkloadKind: KindEntries] = [:]
    private var resourceVersions: [WorkloadKind: String] = [:]
    private var synced: Set<WorkloadKind> = []

    public init() {}

    /// Replaces everything known of `kind` with a fresh list and marks it synced.
    public mutating func replace(_ kind: WorkloadKind, with list: MetadataList) {
        beginRelist(kind, expecting: list.items.count)
        addListed(kind, list.items)
        finishRelist(kind, resourceVersion: list.resourceVersion)
    }

    /// Starts (or restarts) a relist of `kind`: clears the marks of an earlier attempt and
    /// makes room for `expecting` objects when the list says how many are coming.
    public mutating func beginRelist(_ kind: WorkloadKind, expecting: Int? = nil) {
        objects[kind, default: KindEntries()].others.clearMarks()
        objects[kind]!.relistSeen = []
        if let expecting { reserve(kind, expecting) }
    }

    /// Makes room for `total` objects of `kind` (from a list page's `remainingItemCount`).
    public mutating func reserve(_ kind: WorkloadKind, _ total: Int) {
        objects[kind, default: KindEntries()].others.reserve(total)
    }

    /// Adds or updates the objects of one list page (marked as seen when a relist runs).
    public mutating func addListed(_ kind: WorkloadKind, _ items: [ObjectMeta]) {
        for item in items { upsert(kind, item) }
    }

    /// Ends a relist: drops what the list did not bring, records its resourceVersion (where
    /// the watch starts) and marks the kind synced.
    public mutating func finishRelist(_ kind: WorkloadKind, resourceVersion: String) {
        var entries = objects.removeValue(forKey: kind) ?? KindEntries()
        entries.others.sweepUnmarked()
        if let seen = entries.relistSeen, entries.singletons.count > seen.count {
            entries.singletons.retain { seen.contains("\($0)/\($1)") }
        }
        entries.relistSeen = nil
        objects[kind] = entries
        resourceVersions[kind] = resourceVersion
        synced.insert(kind)
    }

    /// Applies one watch event and advances the kind's resourceVersion.
    public mutating func apply(_ kind: WorkloadKind, _ event: MetadataWatchEvent) {
        switch event {
        case .added(let meta), .modified(let meta):
            upsert(kind, meta)
            if let rv = meta.resourceVersion { resourceVersions[kind] = rv }
        case .deleted(let meta):
            if let name = meta.name {
                let namespace = meta.namespace ?? ""
                objects[kind]?.singletons.remove(namespace: namespace, name: name)
                objects[kind]?.others.remove(ParentKeySet.key(namespace, name))
            }
            if let rv = meta.resourceVersion { resourceVersions[kind] = rv }
        case .bookmark(let rv):
            resourceVersions[kind] = rv
        case .opened:
            break
        }
    }

    private mutating func upsert(_ kind: WorkloadKind, _ meta: ObjectMeta) {
        guard let name = meta.name else { return }
        let namespace = meta.namespace ?? ""
        let parent = CachedParent(meta)
        let key = ParentKeySet.key(namespace, name)
        if objects[kind] == nil { objects[kind] = KindEntries() }
        if let ownerLength = Self.compactOwnerLength(parent, name: name) {
            if objects[kind]!.singletons.count > 0 {
                objects[kind]!.singletons.remove(namespace: namespace, name: name)
            }
            let mark = objects[kind]!.relistSeen != nil
            objects[kind]!.others.set(key, uid: parent.uid, ownerLength: ownerLength, mark: mark)
        } else {
            objects[kind]!.others.remove(key)
            objects[kind]!.singletons.set(namespace: namespace, name: name, parent)
            objects[kind]!.relistSeen?.insert("\(namespace)/\(name)")
        }
    }

    /// How a parent fits the compact set: nil when it must be kept in full (it carries a
    /// `kube-singleton.dev/` annotation, or a Deployment owns it under a name that is not a
    /// prefix of its own); otherwise the length of its owner's name (0: none).
    static func compactOwnerLength(_ parent: CachedParent, name: String) -> Int? {
        guard parent.annotations == nil else { return nil }
        guard let owner = parent.owningDeployment else { return 0 }
        let n = owner.utf8.count
        guard (1...255).contains(n), name.utf8.count > n + 1, name.utf8.starts(with: owner.utf8),
            name.utf8[name.utf8.index(name.utf8.startIndex, offsetBy: n)] == UInt8(ascii: "-")
        else { return nil }
        return n
    }

    /// Forgets the kind's resourceVersion so the next round relists (after 410 Gone).
    /// The objects stay, so lookups keep working from slightly stale data meanwhile.
    public mutating func invalidate(_ kind: WorkloadKind) {
        resourceVersions[kind] = nil
    }

    public func resourceVersion(_ kind: WorkloadKind) -> String? { resourceVersions[kind] }

    public func isSynced(_ kind: WorkloadKind) -> Bool { synced.contains(kind) }

    public func count(_ kind: WorkloadKind) -> Int {
        (objects[kind]?.singletons.count ?? 0) + (objects[kind]?.others.count ?? 0)
    }

    /// Bytes the kind's entries hold (both tables' buffers).
    func footprint(_ kind: WorkloadKind) -> Int {
        (objects[kind]?.singletons.footprint ?? 0) + (objects[kind]?.others.footprint ?? 0)
    }

    /// The cached parent `namespace/name` of `kind`, or nil when the cache does not hold it, or
    /// holds it with another uid than `uid` (a recreated object the watch has not brought
    /// yet): then the caller asks the API server. A non-singleton comes back without
    /// annotations, with the uid it was asked with, and with its owning Deployment's name.
    public func lookup(_ kind: WorkloadKind, namespace: String, name: String, uid: String? = nil) -> CachedParent? {
        let expected = uid.flatMap { $0.isEmpty ? nil : $0 }
        if let full = objects[kind]?.singletons.lookup(namespace: namespace, name: name) {
            if let expected, full.uid != expected { return nil }
            return full
        }
        guard let entry = objects[kind]?.others.lookup(ParentKeySet.key(namespace, name)) else { return nil }
        if let expected, entry.uidHash != ParentKeySet.uidHash(expected) { return nil }
        let owner = entry.ownerLength > 0 ? String(decoding: name.utf8.prefix(entry.ownerLength), as: UTF8.self) : nil
        return CachedParent(uid: expected, annotations: nil, owningDeployment: owner)
    }
}
