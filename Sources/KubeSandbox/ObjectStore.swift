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
public struct ObjectStore: Sendable {
    public private(set) var objects: [ObjectKey: JSONValue] = [:]
    public private(set) var revision: Int64 = 1
    public private(set) var events: [StoreEvent] = []
    public let eventCapacity: Int
    let clock: @Sendable () -> Date

    public init(eventCapacity: Int = 1000, clock: @escaping @Sendable () -> Date = { Date() }) {
        self.eventCapacity = max(1, eventCapacity)
        self.clock = clock
    }

    /// The oldest resourceVersion a watch may resume from (exclusive lower bound).
    public var oldestResumable: Int64 { (events.first?.revision ?? revision + 1) - 1 }

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

    /// Objects of a type, sorted by namespace and name, in one namespace or all (nil).
    public func all(_ type: ResourceType, namespace: String?) -> [JSONValue] {
        objects.filter { $0.key.storage == type.storageKey && (namespace == nil || $0.key.namespace == namespace) }
            .sorted { $0.key < $1.key }
            .map { Self.presented($0.value, as: type) }
    }

    /// A page of a list: `limit` items after the `continue` token, plus the next token.
    public func list(
        _ type: ResourceType, namespace: String?, labels: LabelQuery, fields: FieldQuery,
        limit: Int?, continueToken: String?
    ) throws(KubeAPIError) -> (items: [JSONValue], next: String?) {
        var items = all(type, namespace: namespace).filter { labels.matches($0.labels) && fields.matches($0) }
        if let continueToken, !continueToken.isEmpty {
            guard let data = Data(base64Encoded: continueToken), let after = String(data: data, encoding: .utf8) else {
                throw KubeAPIError.badRequest("continue key is not valid: illegal base64 data")
            }
            items = items.filter { "\($0.namespace)/\($0.name)" > after }
        }
        guard let limit, limit > 0, items.count > limit else { return (items, nil) }
        let page = Array(items.prefix(limit))
        let last = page.last.map { "\($0.namespace)/\($0.name)" } ?? ""
        return (page, Data(last.utf8).base64EncodedString())
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
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime]
        return f.string(from: date)
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
        if type.storageKey == ResourceCatalog.namespaces.storageKey {
            for k in objects.keys.sorted() where k.namespace == name {
                if let o = objects[k] { deleted.append(remove(k, o)) }
            }
        }
        var pending = [object.uid]
        while let uid = pending.popLast() {
            for (k, o) in objects.sorted(by: { $0.key < $1.key }) {
                let refs = o[path: "metadata", "ownerReferences"]?.arrayValue ?? []
                guard refs.contains(where: { $0["uid"]?.stringValue == uid }) else { continue }
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

    private mutating func remove(_ key: ObjectKey, _ object: JSONValue) -> JSONValue {
        objects[key] = nil
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
        objects[key] = stored
        append(StoreEvent(kind: kind, revision: revision, key: key, object: stored, previous: previous))
        return stored
    }

    private mutating func append(_ event: StoreEvent) {
        events.append(event)
        if events.count > eventCapacity { events.removeFirst(events.count - eventCapacity) }
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

    /// Changes since `version` (exclusive) matching a filter; 410 Gone when they were compacted away.
    public func events(after version: Int64) throws(KubeAPIError) -> [StoreEvent] {
        if version < oldestResumable {
            throw KubeAPIError.gone("too old resource version: \(version) (\(oldestResumable + 1))")
        }
        return events.filter { $0.revision > version }
    }
}
