import Foundation
import KubeAPIMachinery

/// Identity of a stored object: storage key (group/resource), namespace ("" if cluster-scoped), name.
public struct ObjectKey: Sendable, Hashable, Comparable {
    public var storage: String
    public var namespace: String
    public var name: String

    public static func < (a: ObjectKey, b: ObjectKey) -> Bool {
        (a.storage, a.namespace, a.name) < (b.storage, b.namespace, b.name)
    }
}

/// A change recorded for watches: what happened, at which resourceVersion, to which object.
public struct StoreEvent: Sendable, Equatable {
    public enum Kind: String, Sendable { case added = "ADDED", modified = "MODIFIED", deleted = "DELETED" }
    public var kind: Kind
    public var revision: Int64
    public var key: ObjectKey
    public var object: JSONValue
    /// The object before a MODIFIED change (watches with selectors need it).
    public var previous: JSONValue?
}

/// The in-memory object database with the apiserver's bookkeeping semantics.
///
/// A value type without I/O, so every rule (resourceVersion preconditions, generation,
/// garbage collection, the watch window) is testable directly. One global revision counter
/// plays etcd's role: every committed change takes the next number and becomes the object's
/// `metadata.resourceVersion`; the last `eventCapacity` changes are kept for watch resume,
/// older resume points get 410 Gone as from a compacted etcd.
///
/// Indexed so that no request costs time in proportion to everything stored: names sorted
/// per type and namespace (lists and pages), owner uid to dependents (garbage collection,
/// controllers), uid to key.
public struct ObjectStore: Sendable {
    public private(set) var objects: [ObjectKey: JSONValue] = [:]
    public private(set) var revision: Int64 = 1
    /// Recent changes, oldest first; trimmed in chunks, `events` is the retained window.
    private var log: [StoreEvent] = []
    public let eventCapacity: Int
    let clock: @Sendable () -> Date
    /// storage key -> namespace -> names, sorted.
    private var names: [String: [String: [String]]] = [:]
    private var keyByUID: [String: ObjectKey] = [:]
    /// Owner uid -> keys of the objects whose ownerReferences name it.
    private var dependentKeys: [String: Set<ObjectKey>] = [:]

    public init(eventCapacity: Int = 1000, clock: @escaping @Sendable () -> Date = { Date() }) {
        self.eventCapacity = max(1, eventCapacity)
        self.clock = clock
    }

    /// The changes a watch may resume from, oldest first (at most `eventCapacity`).
    public var events: ArraySlice<StoreEvent> { log.suffix(eventCapacity) }

    /// The oldest resourceVersion a watch may resume from (exclusive lower bound).
    public var oldestResumable: Int64 { (events.first?.revision ?? revision + 1) - 1 }

    /// Retained changes after `version` (exclusive), found by binary search.
    func events(since version: Int64) -> ArraySlice<StoreEvent> {
        let window = events
        var lo = window.startIndex, hi = window.endIndex
        while lo < hi {
            let mid = (lo + hi) / 2
            if window[mid].revision > version { hi = mid } else { lo = mid + 1 }
        }
        return window[lo...]
    }

    static func key(_ type: ResourceType, namespace: String, name: String) -> ObjectKey {
        ObjectKey(storage: type.storageKey, namespace: type.namespaced ? namespace : "", name: name)
    }

    public func get(_ type: ResourceType, namespace: String, name: String) throws(KubeAPIError) -> JSONValue {
        guard let obj = objects[Self.key(type, namespace: namespace, name: name)] else {
            throw KubeAPIError.notFound(type, name: name)
        }
        return Self.presented(obj, as: type)
    }

    public func contains(_ type: ResourceType, namespace: String, name: String) -> Bool {
        objects[Self.key(type, namespace: namespace, name: name)] != nil
    }

    /// Whether an object with this uid is stored.
    public func contains(uid: String) -> Bool { keyByUID[uid] != nil }

    /// The key of the object with this uid.
    public func key(uid: String) -> ObjectKey? { keyByUID[uid] }

    /// A store holding only `keys` (and their namespaces) at this store's revision, with an
    /// unbounded change log: the scratch copy controllers plan their writes on.
    func subset(_ keys: Set<ObjectKey>) -> ObjectStore {
        var s = ObjectStore(eventCapacity: 1 << 40, clock: clock)
        s.revision = revision
        var wanted = keys
        for k in keys where !k.namespace.isEmpty {
            wanted.insert(ObjectKey(storage: ResourceCatalog.namespaces.storageKey, namespace: "", name: k.namespace))
        }
        for k in wanted {
            guard let o = objects[k] else { continue }
            s.objects[k] = o
            s.index(k, o)
        }
        return s
    }

    /// Keys of one type in key order, in one namespace or all (nil), from `after` (exclusive).
    func keys(_ storage: String, namespace: String?, after: ObjectKey? = nil) -> some Sequence<ObjectKey> {
        let byNamespace = names[storage] ?? [:]
        let namespaces = namespace.map { [$0] } ?? byNamespace.keys.sorted()
        return namespaces.lazy.filter { ns in after.map { ns >= $0.namespace } ?? true }.flatMap { ns in
            let sorted = byNamespace[ns] ?? []
            var start = sorted.startIndex
            if let after, after.namespace == ns { start = Self.insertionPoint(sorted, after.name, strictlyAfter: true) }
            return sorted[start...].lazy.map { ObjectKey(storage: storage, namespace: ns, name: $0) }
        }
    }

    /// Objects of a type, sorted by namespace and name, in one namespace or all (nil).
    public func all(_ type: ResourceType, namespace: String?) -> [JSONValue] {
        keys(type.storageKey, namespace: namespace).compactMap { objects[$0].map { Self.presented($0, as: type) } }
    }

    /// Objects whose ownerReferences name `uid` (any kind), in key order.
    public func dependents(of uid: String) -> [(key: ObjectKey, object: JSONValue)] {
        (dependentKeys[uid] ?? []).sorted().compactMap { k in objects[k].map { (k, $0) } }
    }

    /// A page of a list: `limit` items after the `continue` token, plus the next token and,
    /// when nothing filters the list, how many items remain. A token carries the list's
    /// resourceVersion, as the apiserver's does: once the watch window no longer reaches it,
    /// it is refused with 410 Expired, and the client starts a new list.
    public func list(
        _ type: ResourceType, namespace: String?, labels: LabelQuery, fields: FieldQuery,
        limit: Int?, continueToken: String?
    ) throws(KubeAPIError) -> (items: [JSONValue], next: String?, resourceVersion: Int64, remaining: Int?) {
        var after: ObjectKey?
        var listVersion = revision
        if let continueToken, !continueToken.isEmpty {
            let token = try ContinueToken.decode(continueToken)
            if token.revision < oldestResumable {
                throw KubeAPIError.gone(
                    "The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue value from the response."
                )
            }
            listVersion = token.revision
            after = ObjectKey(storage: type.storageKey, namespace: token.namespace, name: token.name)
        }
        let filtered = !(labels.requirements.isEmpty && fields.terms.isEmpty)
        var items: [JSONValue] = []
        var last: ObjectKey?
        var more = false
        for key in keys(type.storageKey, namespace: namespace, after: after) {
            guard let stored = objects[key] else { continue }
            if let limit, limit > 0, items.count == limit {
                more = true
                break
            }
            let o = Self.presented(stored, as: type)
            guard labels.matches(o.labels) && fields.matches(o) else { continue }
            items.append(o)
            last = key
        }
        guard more, let last else { return (items, nil, listVersion, nil) }
        let remaining =
            filtered ? nil : keys(type.storageKey, namespace: namespace, after: last).reduce(0) { n, _ in n + 1 }
        let next = ContinueToken(revision: listVersion, namespace: last.namespace, name: last.name).encoded
        return (items, next, listVersion, remaining)
    }

    /// Serves an object under the apiVersion of the requested type (HPA v1/v2 share storage).
    static func presented(_ object: JSONValue, as type: ResourceType) -> JSONValue {
        var o = type.kind == "HorizontalPodAutoscaler" ? HPAConversion.convert(object, toVersion: type.version) : object
        o["apiVersion"] = .string(type.apiVersion)
        o["kind"] = .string(type.kind)
        return o
    }

    var now: String { Self.timestamp(clock()) }

    static func timestamp(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle())
    }

    // MARK: - commits (preparation and admission happen before these)

    /// Stores a prepared new object, creating its namespace on demand.
    public mutating func commitCreate(_ type: ResourceType, _ prepared: JSONValue) throws(KubeAPIError) -> JSONValue {
        let key = Self.key(type, namespace: prepared.namespace, name: prepared.name)
        guard objects[key] == nil else { throw KubeAPIError.alreadyExists(type, name: prepared.name) }
        if type.namespaced { ensureNamespace(prepared.namespace) }
        return record(.added, key: key, object: prepared)
    }

    /// Replaces an object whose stored resourceVersion must still be `expectedVersion`.
    public mutating func commitUpdate(
        _ type: ResourceType, _ updated: JSONValue, expectedVersion: String
    ) throws(KubeAPIError) -> JSONValue {
        let key = Self.key(type, namespace: updated.namespace, name: updated.name)
        guard let current = objects[key] else { throw KubeAPIError.notFound(type, name: updated.name) }
        guard current.resourceVersion == expectedVersion else { throw KubeAPIError.conflict(type, name: updated.name) }
        if current == Self.withVersion(updated, current.resourceVersion) { return Self.presented(current, as: type) }
        return record(.modified, key: key, object: updated, previous: current)
    }

    /// Removes an object and garbage-collects its dependents (recursively, immediately);
    /// `orphan` instead strips the ownerReferences pointing at it. Deleting a namespace
    /// deletes everything in it. Returns the deleted objects, the requested one first.
    public mutating func commitDelete(
        _ type: ResourceType, namespace: String, name: String,
        orphan: Bool = false
    ) throws(KubeAPIError) -> [JSONValue] {
        let key = Self.key(type, namespace: namespace, name: name)
        guard let object = objects[key] else { throw KubeAPIError.notFound(type, name: name) }
        var deleted = [remove(key, object)]
        var pending = [object.uid]
        if type.storageKey == ResourceCatalog.namespaces.storageKey {
            for storage in names.keys.sorted() {
                for k in Array(keys(storage, namespace: name)) {
                    if let o = objects[k] {
                        deleted.append(remove(k, o))
                        pending.append(o.uid)
                    }
                }
            }
        }
        while let uid = pending.popLast() {
            for (k, o) in dependents(of: uid) {
                let refs = o[path: "metadata", "ownerReferences"]?.arrayValue ?? []
                if orphan {
                    var copy = o
                    let kept = refs.filter { $0["uid"]?.stringValue != uid }
                    copy.set(["metadata", "ownerReferences"], kept.isEmpty ? nil : .array(kept))
                    _ = record(.modified, key: k, object: copy, previous: o)
                } else {
                    deleted.append(remove(k, o))
                    pending.append(o.uid)
                }
            }
        }
        return deleted
    }

    /// Deletes every object of one storage key (a CustomResourceDefinition went away).
    public mutating func removeAll(storage: String) {
        for k in Array(keys(storage, namespace: nil)) {
            if let o = objects[k] { _ = remove(k, o) }
        }
    }

    private mutating func remove(_ key: ObjectKey, _ object: JSONValue) -> JSONValue {
        objects[key] = nil
        unindex(key, object)
        revision += 1
        let final = Self.withVersion(object, String(revision))
        append(StoreEvent(kind: .deleted, revision: revision, key: key, object: final))
        return final
    }

    private mutating func record(
        _ kind: StoreEvent.Kind, key: ObjectKey, object: JSONValue, previous: JSONValue? = nil
    ) -> JSONValue {
        revision += 1
        let stored = Self.withVersion(object, String(revision))
        if let old = objects[key] { unindex(key, old) }
        objects[key] = stored
        index(key, stored)
        append(StoreEvent(kind: kind, revision: revision, key: key, object: stored, previous: previous))
        return stored
    }

    private mutating func append(_ event: StoreEvent) {
        log.append(event)
        // Trimmed in chunks so appends stay O(1) amortised; `events` shows the exact window.
        if log.count > 2 * eventCapacity { log.removeFirst(log.count - eventCapacity) }
    }

    static func ownerUIDs(_ object: JSONValue) -> [String] {
        (object[path: "metadata", "ownerReferences"]?.arrayValue ?? []).compactMap { $0["uid"]?.stringValue }
    }

    private mutating func index(_ key: ObjectKey, _ object: JSONValue) {
        var sorted = names[key.storage, default: [:]][key.namespace, default: []]
        let at = Self.insertionPoint(sorted, key.name, strictlyAfter: false)
        if at == sorted.endIndex || sorted[at] != key.name {
            names[key.storage, default: [:]][key.namespace] = nil
            sorted.insert(key.name, at: at)
            names[key.storage, default: [:]][key.namespace] = sorted
        }
        let uid = object.uid
        if !uid.isEmpty { keyByUID[uid] = key }
        for owner in Self.ownerUIDs(object) { dependentKeys[owner, default: []].insert(key) }
    }

    private mutating func unindex(_ key: ObjectKey, _ object: JSONValue) {
        if var sorted = names[key.storage]?[key.namespace] {
            let at = Self.insertionPoint(sorted, key.name, strictlyAfter: false)
            if at < sorted.endIndex, sorted[at] == key.name {
                names[key.storage]?[key.namespace] = nil
                sorted.remove(at: at)
                if !sorted.isEmpty { names[key.storage]?[key.namespace] = sorted }
            }
        }
        let uid = object.uid
        if !uid.isEmpty, keyByUID[uid] == key { keyByUID[uid] = nil }
        for owner in Self.ownerUIDs(object) {
            dependentKeys[owner]?.remove(key)
            if dependentKeys[owner]?.isEmpty == true { dependentKeys[owner] = nil }
        }
    }

    /// First index whose name is >= `name` (or > with `strictlyAfter`).
    static func insertionPoint(_ sorted: [String], _ name: String, strictlyAfter: Bool) -> Int {
        var lo = 0, hi = sorted.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if sorted[mid] < name || (strictlyAfter && sorted[mid] == name) { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }

    static func withVersion(_ object: JSONValue, _ version: String) -> JSONValue {
        var o = object
        o.set(["metadata", "resourceVersion"], .string(version))
        return o
    }

    /// Creates a namespace if missing (objects may name namespaces that were never created).
    public mutating func ensureNamespace(_ name: String) {
        let type = ResourceCatalog.namespaces
        guard !name.isEmpty, !contains(type, namespace: "", name: name) else { return }
        let ns = ObjectPreparation.newNamespace(name)
        if let prepared = try? ObjectPreparation.prepareCreate(type, namespace: "", object: ns, now: now) {
            _ = try? commitCreate(type, prepared)
        }
    }

    /// Changes since `version` (exclusive); 410 Gone when they were compacted away.
    public func events(after version: Int64) throws(KubeAPIError) -> [StoreEvent] {
        if version < oldestResumable {
            throw KubeAPIError.gone("too old resource version: \(version) (\(oldestResumable + 1))")
        }
        return Array(events(since: version))
    }
}

/// The apiserver's continue token: base64 of `{"v":"meta.k8s.io/v1","rv":N,"start":"KEY\u0000"}`,
/// where KEY is the last returned object's `namespace/name` (the next page starts after it).
struct ContinueToken {
    var revision: Int64
    var namespace: String
    var name: String

    var encoded: String {
        let start = namespace.isEmpty ? name : "\(namespace)/\(name)"
        let doc: JSONValue = ["v": "meta.k8s.io/v1", "rv": .int(revision), "start": .string(start + "\u{0}")]
        return doc.serialized().base64EncodedString()
    }

    static func decode(_ token: String) throws(KubeAPIError) -> ContinueToken {
        guard let data = Data(base64Encoded: token) else {
            throw KubeAPIError.badRequest("continue key is not valid: illegal base64 data")
        }
        guard let doc = try? JSONValue.parse(data), doc["v"]?.stringValue == "meta.k8s.io/v1",
            let rv = doc["rv"]?.intValue, var start = doc["start"]?.stringValue
        else {
            throw KubeAPIError.badRequest(
                "continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)")
        }
        if start.hasSuffix("\u{0}") { start.removeLast() }
        let parts = start.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
        return parts.count == 2
            ? ContinueToken(revision: Int64(rv), namespace: parts[0], name: parts[1])
            : ContinueToken(revision: Int64(rv), namespace: "", name: start)
    }
}
