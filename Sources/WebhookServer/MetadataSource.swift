import SingletonCore

/// A page of metadata-only objects and the collection's resourceVersion, as returned by a
/// LIST with `Accept: application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1`.
public struct MetadataList: Sendable, Equatable {
    public var items: [ObjectMeta]
    public var resourceVersion: String

    public init(items: [ObjectMeta], resourceVersion: String) {
        self.items = items
        self.resourceVersion = resourceVersion
    }
}

/// One page of a paged list: its objects, and how many more the server says are to come
/// (`remainingItemCount`, when it says).
public struct MetadataPage: Sendable, Equatable {
    public var items: [ObjectMeta]
    public var remaining: Int?

    public init(items: [ObjectMeta], remaining: Int? = nil) {
        self.items = items
        self.remaining = remaining
    }
}

/// One event of a metadata-only WATCH.
public enum MetadataWatchEvent: Sendable, Equatable {
    case added(ObjectMeta)
    case modified(ObjectMeta)
    case deleted(ObjectMeta)
    /// A BOOKMARK: nothing changed, but the stream has reached this resourceVersion.
    case bookmark(resourceVersion: String)
    /// The server accepted the watch (its response head arrived). Nothing changed, but the
    /// cache has heard from the API server: servers send bookmarks at their discretion, so
    /// on a quiet cluster this is the only sign that a restarted watch is live.
    case opened
}

/// Why a list, watch or get failed.
public enum MetadataSourceError: Error, Sendable, Equatable, CustomStringConvertible {
    /// 410 Gone (or a watch ERROR event with code 410): the resourceVersion is too old; relist.
    case gone
    /// 404 on the collection of a custom resource (`WorkloadKind.isCustomResource`): its
    /// CustomResourceDefinition is not installed. Checked again slowly.
    case notInstalled
    /// Anything else: connection refused, 403, timeouts. Retried with backoff.
    case failed(String)

    public var description: String {
        switch self {
        case .gone: return "410 Gone: resourceVersion too old, a relist is needed"
        case .notInstalled: return "404 Not Found: the kind's CustomResourceDefinition is not installed"
        case .failed(let why): return why
        }
    }
}

/// Where the parent cache reads workload metadata from. The production implementation
/// talks to the API server through KubeClient; tests use in-memory sources or a local
/// HTTPS server. Keeping this small makes the cache logic testable without a cluster.
public protocol MetadataSource: Sendable {
    /// Lists `kind` in `namespace` (all namespaces when nil). Throws
    /// `MetadataSourceError.notInstalled` for a custom resource whose collection is a 404.
    func list(_ kind: WorkloadKind, namespace: String?) async throws -> MetadataList
    /// Lists `kind` page by page, handing each page to `body` before reading the next, and
    /// returns the list's resourceVersion. Throws `MetadataSourceError.gone` when a continue
    /// token expires part-way (the caller starts over).
    func list(
        _ kind: WorkloadKind, namespace: String?, eachPage body: (MetadataPage) async throws -> Void
    ) async throws -> String
    /// Watches from `resourceVersion` with bookmarks. The stream ends when the server ends
    /// the watch; it throws `MetadataSourceError.gone` when the version is too old.
    func watch(
        _ kind: WorkloadKind, namespace: String?, resourceVersion: String
    ) async throws
        -> AsyncThrowingStream<MetadataWatchEvent, any Error>
    /// GETs one object's metadata; nil when it does not exist (404).
    func get(_ kind: WorkloadKind, namespace: String, name: String) async throws -> ObjectMeta?
}

extension MetadataSource {
    /// For sources that answer a list in one piece: that piece is the only page.
    public func list(
        _ kind: WorkloadKind, namespace: String?, eachPage body: (MetadataPage) async throws -> Void
    ) async throws -> String {
        let list = try await list(kind, namespace: namespace)
        try await body(MetadataPage(items: list.items))
        return list.resourceVersion
    }
}
