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

    public init(client: KubeClient, watchTimeoutSeconds: Int = 300) {
        self.client = client
        self.watchTimeoutSeconds = watchTimeoutSeconds
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

    struct Partial: Decodable { var metadata: ObjectMeta }

    public func list(_ kind: WorkloadKind, namespace: String?) async throws -> MetadataList {
        do {
            let list = try await client.list(kind.collectionPath(namespace: namespace), metadataOnly: true)
            let decoder = JSONDecoder()
            let items = try list.items.map { try decoder.decode(Partial.self, from: $0).metadata }
            return MetadataList(items: items, resourceVersion: list.resourceVersion)
        } catch let error as KubeAPIError where error.isGone {
            throw MetadataSourceError.gone
        }
    }

    public func watch(_ kind: WorkloadKind, namespace: String?, resourceVersion: String) async throws
        -> AsyncThrowingStream<MetadataWatchEvent, any Error> {
        return AsyncThrowingStream { continuation in
            let upstream = client.watch(kind.collectionPath(namespace: namespace), resourceVersion: resourceVersion,
                                        allowBookmarks: true, metadataOnly: true, timeoutSeconds: watchTimeoutSeconds,
                                        onOpen: { continuation.yield(.opened) })
            let task = Task {
                let decoder = JSONDecoder()
                do {
                    for try await event in upstream {
                        switch event.type {
                        case .bookmark:
                            if let rv = event.resourceVersion { continuation.yield(.bookmark(resourceVersion: rv)) }
                        case .added:
                            continuation.yield(.added(try decoder.decode(Partial.self, from: event.object).metadata))
                        case .modified:
                            continuation.yield(.modified(try decoder.decode(Partial.self, from: event.object).metadata))
                        case .deleted:
                            continuation.yield(.deleted(try decoder.decode(Partial.self, from: event.object).metadata))
                        case .error:
                            continue  // KubeClient throws ERROR events instead of yielding them
                        }
                    }
                    continuation.finish()
                } catch let error as KubeAPIError where error.isGone {
                    continuation.finish(throwing: MetadataSourceError.gone)
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
            return try JSONDecoder().decode(Partial.self, from: data).metadata
        } catch let error as KubeAPIError where error.isNotFound {
            return nil
        }
    }
}
