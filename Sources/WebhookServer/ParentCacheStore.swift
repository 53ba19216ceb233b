import SingletonCore

/// What the cache keeps of a workload: enough to judge a scale or HPA request and nothing
/// more, so 10,000 workloads stay well under a megabyte (see `ParentTable`). Only `kube-singleton.dev/` annotations
/// are kept, and the name of an owning Deployment (a ReplicaSet's, which the scale rule
/// points the user at); labels, other annotations and owner references are dropped.
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
public struct ParentCacheStore: Sendable {
    private var objects: [WorkloadKind: ParentTable] = [:]
    private var resourceVersions: [WorkloadKind: String] = [:]
    private var synced: Set<WorkloadKind> = []

    public init() {}

    /// Replaces everything known of `kind` with a fresh list and marks it synced.
    public mutating func replace(_ kind: WorkloadKind, with list: MetadataList) {
        var fresh = ParentTable(minimumCapacity: list.items.count)
        for item in list.items {
            guard let name = item.name else { continue }
            fresh.set(namespace: item.namespace ?? "", name: name, CachedParent(item))
        }
        objects[kind] = fresh
        resourceVersions[kind] = list.resourceVersion
        synced.insert(kind)
    }

    /// Applies one watch event and advances the kind's resourceVersion.
    public mutating func apply(_ kind: WorkloadKind, _ event: MetadataWatchEvent) {
        switch event {
        case .added(let meta), .modified(let meta):
            if let name = meta.name {
                objects[kind, default: ParentTable()].set(
                    namespace: meta.namespace ?? "", name: name, CachedParent(meta))
            }
            if let rv = meta.resourceVersion { resourceVersions[kind] = rv }
        case .deleted(let meta):
            if let name = meta.name { objects[kind]?.remove(namespace: meta.namespace ?? "", name: name) }
            if let rv = meta.resourceVersion { resourceVersions[kind] = rv }
        case .bookmark(let rv):
            resourceVersions[kind] = rv
        case .opened:
            break
        }
    }

    /// Forgets the kind's resourceVersion so the next round relists (after 410 Gone).
    /// The objects stay, so lookups keep working from slightly stale data meanwhile.
    public mutating func invalidate(_ kind: WorkloadKind) {
        resourceVersions[kind] = nil
    }

    public func resourceVersion(_ kind: WorkloadKind) -> String? { resourceVersions[kind] }

    public func isSynced(_ kind: WorkloadKind) -> Bool { synced.contains(kind) }

    public func count(_ kind: WorkloadKind) -> Int { objects[kind]?.count ?? 0 }

    public func lookup(_ kind: WorkloadKind, namespace: String, name: String) -> CachedParent? {
        objects[kind]?.lookup(namespace: namespace, name: name)
    }
}
