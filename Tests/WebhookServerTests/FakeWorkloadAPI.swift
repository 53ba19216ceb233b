import Foundation
import HTTPSServerKit
import KubeClient
import SingletonCore
import TestSupport
@testable import WebhookServer

/// A tiny Kubernetes API over real HTTPS speaking the metadata-only list/watch/get protocol
/// for the workload kinds: enough to drive KubeClient and the parent cache end to end,
/// including 410 Gone for compacted resourceVersions, watches the server ends, and a custom
/// resource whose CRD is not installed (404s).
actor FakeWorkloadAPI {
    struct Event { var rv: Int; var kind: WorkloadKind; var type: String; var meta: ObjectMeta }

    private var rv = 100
    private var objects: [WorkloadKind: [String: ObjectMeta]] = [:]
    private var events: [Event] = []
    /// Watches from an older resourceVersion get a 410 ERROR event.
    private var oldestWatchable = 0
    /// Bumped to make the server end every open watch.
    private(set) var generation = 0
    /// Objects GET can find but lists and watches do not show (a cache that lags).
    private var hidden: [String: ObjectMeta] = [:]
    private(set) var lists: [WorkloadKind: Int] = [:]
    /// `limit` and `continue` of each list request, in order.
    private(set) var listQueries: [(limit: String?, continue: String?)] = []
    private(set) var gets = 0
    /// How many more list requests with a continue token get 410 Expired.
    private var expiringContinues = 0

    /// The next `n` list requests that carry a continue token get 410 Expired, as the API
    /// server answers a token older than its compaction window.
    func expireContinueTokens(_ n: Int) { expiringContinues = n }

    /// GET without HTTP: what a GET of `namespace/name` finds (counted in `gets`).
    func object(_ kind: WorkloadKind, namespace: String, name: String) -> ObjectMeta? {
        gets += 1
        let key = "\(namespace)/\(name)"
        return objects[kind]?[key] ?? hidden[key]
    }

    /// Kinds whose CRD is not installed: every path of theirs is a 404, as on a real API server.
    private var uninstalled: Set<WorkloadKind> = []

    func uninstall(_ kind: WorkloadKind) { uninstalled.insert(kind) }
    func install(_ kind: WorkloadKind) { uninstalled.remove(kind) }

    func put(_ kind: WorkloadKind, _ meta: ObjectMeta, announce: Bool = true) {
        rv += 1
        var m = meta
        m.resourceVersion = String(rv)
        let key = "\(m.namespace ?? "")/\(m.name ?? "")"
        let existed = objects[kind]?[key] != nil
        objects[kind, default: [:]][key] = m
        if announce { events.append(Event(rv: rv, kind: kind, type: existed ? "MODIFIED" : "ADDED", meta: m)) }
    }

    func remove(_ kind: WorkloadKind, _ meta: ObjectMeta, announce: Bool = true) {
        rv += 1
        guard let gone = objects[kind]?.removeValue(forKey: "\(meta.namespace ?? "")/\(meta.name ?? "")") else {
            return
        }
        var m = gone
        m.resourceVersion = String(rv)
        if announce { events.append(Event(rv: rv, kind: kind, type: "DELETED", meta: m)) }
    }

    func hide(_ meta: ObjectMeta) { hidden["\(meta.namespace ?? "")/\(meta.name ?? "")"] = meta }

    /// Compacts history: watches from any version seen so far get 410, and open ones end.
    func compact() {
        oldestWatchable = rv + 1
        rv += 1
        generation += 1
    }

    func eventsAfter(_ from: Int, kind: WorkloadKind) -> [Event] { events.filter { $0.rv > from && $0.kind == kind } }

    /// Serves this API over HTTPS with `pki`'s server certificate, and a source that reads it.
    nonisolated func serve(_ pki: TestPKI) async throws -> (server: HTTPSServer, source: KubeMetadataSource) {
        let server = try await HTTPSServer.start(
            ServerConfiguration(
                tls: TLSSettings(
                    certificateChain: .pem(pki.server.certificatePEM), privateKey: .pem(pki.server.privateKeyPEM)),
                limits: .forTests, threads: 1),
            handler: handler)
        let client = KubeClient(
            config: ClientConfig(
                server: "https://127.0.0.1:\(server.port)",
                tls: TLSOptions(certificateAuthorityPEM: Data(pki.ca.certificatePEM.utf8))))
        return (server, KubeMetadataSource(client: client, watchTimeoutSeconds: 60))
    }

    // MARK: - HTTP

    nonisolated var handler: ClosureHandler {
        ClosureHandler { request in await self.route(request) }
    }

    private func route(_ request: ServerRequest) async -> ServerResponse {
        for kind in WorkloadKind.allCases {
            if uninstalled.contains(kind), request.path.hasPrefix("/apis/\(kind.group)/\(kind.version)/") {
                lists[kind, default: 0] += 1
                return .json(
                    .notFound,
                    Self.json([
                        "kind": "Status", "apiVersion": "v1", "status": "Failure", "reason": "NotFound",
                        "code": 404, "message": "the server could not find the requested resource",
                    ]))
            }
            if request.path == kind.collectionPath(namespace: nil) {
                if request.queryValue("watch") == "true" {
                    return watch(kind, from: Int(request.queryValue("resourceVersion") ?? "0") ?? 0)
                }
                lists[kind, default: 0] += 1
                listQueries.append((limit: request.queryValue("limit"), continue: request.queryValue("continue")))
                if request.queryValue("continue") != nil, expiringContinues > 0 {
                    expiringContinues -= 1
                    return .json(
                        .gone,
                        Self.json([
                            "kind": "Status", "apiVersion": "v1", "status": "Failure", "reason": "Expired",
                            "code": 410,
                            "message":
                                "The provided continue parameter is too old to display a consistent list result.",
                        ]))
                }
                let all = (objects[kind] ?? [:]).values.sorted { ($0.name ?? "") < ($1.name ?? "") }
                // Pages by `limit`; the continue token is the next offset.
                let start = min(Int(request.queryValue("continue") ?? "") ?? 0, all.count)
                let limit = Int(request.queryValue("limit") ?? "") ?? 0
                let end = limit > 0 ? min(start + limit, all.count) : all.count
                var metadata: [String: Any] = ["resourceVersion": String(rv)]
                if end < all.count {
                    metadata["continue"] = String(end)
                    metadata["remainingItemCount"] = all.count - end
                }
                return .json(
                    .ok,
                    Self.json([
                        "kind": "PartialObjectMetadataList", "apiVersion": "meta.k8s.io/v1",
                        "metadata": metadata, "items": all[start..<end].map(Self.partial),
                    ]))
            }
            // /apis/apps/v1/namespaces/NS/deployments/NAME (or /api/v1/... for replicationcontrollers)
            let base = kind.collectionPath(namespace: nil).dropLast(kind.resource.count + 1)
            let parts = request.path.split(separator: "/").map(String.init)
            if request.path.hasPrefix(base + "/namespaces/"), parts.count >= 3, parts[parts.count - 2] == kind.resource,
                parts[parts.count - 4] == "namespaces"
            {
                gets += 1
                let key = "\(parts[parts.count - 3])/\(parts[parts.count - 1])"
                if let meta = objects[kind]?[key] ?? hidden[key] { return .json(.ok, Self.json(Self.partial(meta))) }
                return .json(
                    .notFound,
                    Self.json([
                        "kind": "Status", "apiVersion": "v1", "status": "Failure", "reason": "NotFound",
                        "code": 404, "message": "\(kind.resource) \"\(parts[parts.count - 1])\" not found",
                    ]))
            }
        }
        return .text(.notFound, "fake API: no route for \(request.path)\n")
    }

    private func watch(_ kind: WorkloadKind, from: Int) -> ServerResponse {
        if from < oldestWatchable {
            let status: [String: Any] = [
                "type": "ERROR",
                "object": [
                    "kind": "Status", "apiVersion": "v1", "status": "Failure",
                    "reason": "Expired", "code": 410, "message": "too old resource version: \(from)",
                ],
            ]
            let line = Self.json(status) + Data("\n".utf8)
            return .stream(.ok, contentType: "application/json") { writer in
                try await writer.write(line)
            }
        }
        let startGeneration = generation
        let currentRV = rv
        return .stream(.ok, contentType: "application/json") { writer in
            var last = from
            try await writer.write(
                Self.json([
                    "type": "BOOKMARK",
                    "object": [
                        "kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1",
                        "metadata": ["resourceVersion": String(max(from, currentRV))],
                    ],
                ]) + Data("\n".utf8))
            while !Task.isCancelled, await self.generation == startGeneration {
                for event in await self.eventsAfter(last, kind: kind) {
                    try await writer.write(
                        Self.json(["type": event.type, "object": Self.partial(event.meta)]) + Data("\n".utf8))
                    last = event.rv
                }
                try? await Task.sleep(for: .milliseconds(10))
            }
        }
    }

    private static func partial(_ meta: ObjectMeta) -> [String: Any] {
        let encoded = (try? JSONSerialization.jsonObject(with: JSONEncoder().encode(meta))) ?? [:]
        return ["kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1", "metadata": encoded]
    }

    private static func json(_ object: Any) -> Data {
        (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
    }
}
