import Foundation
import KubeAPIMachinery
import KubeClient
import KubeNIOTransport
import SingletonCore

/// The production `MetadataSource`: the API server through KubeClient, asking for
/// `PartialObjectMetadata` so a list of 10,000 workloads carries metadata only.
public struct KubeMetadataSource: MetadataSource {
    public let client: KubeClient
    /// Server-side watch timeout; the reflector reconnects from the last resourceVersion.
    public let watchTimeoutSeconds: Int
    /// Items per list page (`limit`), as kubectl and client-go's reflector ask.
    public let pageSize: Int

    public init(client: KubeClient, watchTimeoutSeconds: Int = 300, pageSize: Int = 500) {
        self.client = client
        self.watchTimeoutSeconds = watchTimeoutSeconds
        self.pageSize = pageSize
    }

    /// A source from `kubeconfig` (or KUBECONFIG, ~/.kube/config, then in-cluster), as kubectl finds it.
    ///
    /// Requests go through `NIOTransport`: the webhook's own SwiftNIO and BoringSSL, so its
    /// process loads neither libcurl nor OpenSSL. The TLS material (CA, client certificate and
    /// key) is checked here by building the transport's TLS context, so `serve` refuses to
    /// start with a key that is not the certificate's instead of retrying forever.
    public static func make(kubeconfig: String?) throws -> any MetadataSource {
        let config = try ClientConfig.load(KubeConfigOptions(kubeconfig: kubeconfig))
        let transport = NIOTransport()
        try transport.prepareTLS(for: config.server, config.tls)
        return KubeMetadataSource(client: KubeClient(config: config, transport: transport))
    }

    /// A `PartialObjectMetadata` as the parent cache reads it: name, namespace, uid,
    /// resourceVersion, owner references and only the `kube-singleton.dev/` annotations. The rest
    /// (labels, other annotations such as a `last-applied-configuration`) is skipped while
    /// reading instead of decoded and dropped, since `CachedParent` keeps nothing else.
    struct ParentMetadata: Decodable, Sendable {
        var meta: ObjectMeta

        private enum Keys: String, CodingKey { case metadata }
        private enum MetaKeys: String, CodingKey {
            case name, namespace, uid, resourceVersion, annotations, ownerReferences
        }
        private struct AnnotationKey: CodingKey {
            var stringValue: String
            var intValue: Int? { nil }
            init(stringValue: String) { self.stringValue = stringValue }
            init?(intValue: Int) { nil }
        }

        init(meta: ObjectMeta) { self.meta = meta }

        /// A list page read by the core's `MetadataReader` (which keeps exactly what this type
        /// does and checks what it skips); nil when the reader is unsure, and this type decides.
        static func fastPage(_ body: Data) -> KubeListPage<ParentMetadata>? {
            guard let page = MetadataReader.page([UInt8](body), annotationPrefix: CachedParent.annotationPrefix)
            else { return nil }
            return KubeListPage(
                apiVersion: page.apiVersion, kind: page.kind,
                metadata: ListMeta(
                    resourceVersion: page.resourceVersion, continue: page.continueToken,
                    remainingItemCount: page.remainingItemCount.map(Int64.init), selfLink: page.selfLink),
                items: page.items.map(ParentMetadata.init(meta:)))
        }

        /// One object (a watch event's, a GET's answer), the byte reader first.
        static func decode(_ body: Data) throws -> ParentMetadata {
            if let meta = MetadataReader.object([UInt8](body), annotationPrefix: CachedParent.annotationPrefix) {
                return ParentMetadata(meta: meta)
            }
            return try JSONDecoder().decode(ParentMetadata.self, from: body)
        }

        init(from decoder: any Decoder) throws {
            let m = try decoder.container(keyedBy: Keys.self).nestedContainer(keyedBy: MetaKeys.self, forKey: .metadata)
            meta = ObjectMeta(
                name: try m.decodeIfPresent(String.self, forKey: .name),
                namespace: try m.decodeIfPresent(String.self, forKey: .namespace),
                uid: try m.decodeIfPresent(String.self, forKey: .uid),
                ownerReferences: try m.decodeIfPresent([OwnerReference].self, forKey: .ownerReferences))
            meta.resourceVersion = try m.decodeIfPresent(String.self, forKey: .resourceVersion)
            if m.contains(.annotations), try !m.decodeNil(forKey: .annotations) {
                let annotations = try m.nestedContainer(keyedBy: AnnotationKey.self, forKey: .annotations)
                var ours: [String: String] = [:]
                for key in annotations.allKeys where key.stringValue.hasPrefix(CachedParent.annotationPrefix) {
                    ours[key.stringValue] = try annotations.decode(String.self, forKey: key)
                }
                meta.annotations = ours.isEmpty ? nil : ours
            }
        }
    }

    public func list(_ kind: WorkloadKind, namespace: String?) async throws -> MetadataList {
        do {
            let list = try await client.list(
                kind.collectionPath(namespace: namespace), of: ParentMetadata.self,
                limit: pageSize, metadataOnly: true, fastRead: ParentMetadata.fastPage)
            return MetadataList(items: list.items.map(\.meta), resourceVersion: list.resourceVersion)
        } catch let error as KubeAPIError where error.isGone {
            throw MetadataSourceError.gone
        } catch let error as KubeAPIError where error.isNotFound && kind.isCustomResource {
            throw MetadataSourceError.notInstalled
        }
    }

    public func list(
        _ kind: WorkloadKind, namespace: String?, eachPage body: (MetadataPage) async throws -> Void
    ) async throws -> String {
        do {
            return try await client.forEachPage(
                kind.collectionPath(namespace: namespace), of: ParentMetadata.self, limit: pageSize,
                metadataOnly: true, fastRead: ParentMetadata.fastPage
            ) { page in
                try await body(
                    MetadataPage(
                        items: page.items.map(\.meta),
                        remaining: page.metadata.remainingItemCount.map { Int(clamping: $0) }))
            }
        } catch let error as KubeAPIError where error.isGone {
            throw MetadataSourceError.gone
        } catch let error as KubeAPIError where error.isNotFound && kind.isCustomResource {
            throw MetadataSourceError.notInstalled
        }
    }

    public func watch(
        _ kind: WorkloadKind, namespace: String?, resourceVersion: String
    ) async throws
        -> AsyncThrowingStream<MetadataWatchEvent, any Error>
    {
        return AsyncThrowingStream { continuation in
            let upstream = client.watch(
                kind.collectionPath(namespace: namespace), resourceVersion: resourceVersion,
                allowBookmarks: true, metadataOnly: true, timeoutSeconds: watchTimeoutSeconds,
                onOpen: { continuation.yield(.opened) })
            let task = Task {
                do {
                    for try await event in upstream {
                        switch event.type {
                        case .bookmark:
                            if let rv = event.resourceVersion { continuation.yield(.bookmark(resourceVersion: rv)) }
                        case .added:
                            continuation.yield(.added(try ParentMetadata.decode(event.object).meta))
                        case .modified:
                            continuation.yield(
                                .modified(try ParentMetadata.decode(event.object).meta))
                        case .deleted:
                            continuation.yield(
                                .deleted(try ParentMetadata.decode(event.object).meta))
                        case .error:
                            continue  // KubeClient throws ERROR events instead of yielding them
                        }
                    }
                    continuation.finish()
                } catch let error as KubeAPIError where error.isGone {
                    continuation.finish(throwing: MetadataSourceError.gone)
                } catch let error as KubeAPIError where error.isNotFound && kind.isCustomResource {
                    continuation.finish(throwing: MetadataSourceError.notInstalled)
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    public func get(_ kind: WorkloadKind, namespace: String, name: String) async throws -> ObjectMeta? {
        do {
            let data = try await client.get(kind.objectPath(namespace: namespace, name: name), metadataOnly: true)
            return try ParentMetadata.decode(data).meta
        } catch let error as KubeAPIError where error.isNotFound {
            return nil
        }
    }
}
