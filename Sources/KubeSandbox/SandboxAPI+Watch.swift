import Foundation
import KubeAPIMachinery

/// One open watch: its filter, output format and stream.
struct Watcher {
    let type: ResourceType
    let namespace: String?
    let labels: LabelQuery
    let fields: FieldQuery
    let format: SandboxAPI.Format
    let includeObject: String?
    let continuation: AsyncStream<Data>.Continuation
    var tasks: [Task<Void, Never>] = []

    func matches(_ object: JSONValue) -> Bool { labels.matches(object.labels) && fields.matches(object) }

    /// The event type this watcher sees, or nil: an object that starts matching the
    /// selectors arrives as ADDED, one that stops matching as DELETED (as from the apiserver).
    func view(_ event: StoreEvent) -> String? {
        guard event.key.storage == type.storageKey, namespace == nil || event.key.namespace == namespace else {
            return nil
        }
        let now = matches(event.object)
        guard event.kind == .modified, let previous = event.previous else { return now ? event.kind.rawValue : nil }
        switch (matches(previous), now) {
        case (true, true): return "MODIFIED"
        case (false, true): return "ADDED"
        case (true, false): return "DELETED"
        case (false, false): return nil
        }
    }
}

/// Watches: `?watch=true` streams `{"type":..,"object":..}` lines. Without a
/// resourceVersion (or with "0") the current objects come first as ADDED; with one, the
/// recorded changes after it are replayed, and a version older than the retained window
/// yields an ERROR event carrying a 410 Expired Status, like the apiserver's watch cache.
/// `allowWatchBookmarks=true` adds periodic BOOKMARK events; `timeoutSeconds` ends the stream.
extension SandboxAPI {
    func startWatch(_ t: RequestTarget, _ req: APIRequest) throws(KubeAPIError) -> APIResponse {
        let labels = try LabelQuery.parse(req.query["labelSelector"] ?? "")
        let fields = try FieldQuery.parse(req.query["fieldSelector"] ?? "")
        let (stream, continuation) = AsyncStream<Data>.makeStream()
        var watcher = Watcher(
            type: t.type, namespace: t.namespace, labels: labels, fields: fields, format: Self.format(req),
            includeObject: req.query["includeObject"], continuation: continuation)
        let rv = req.query["resourceVersion"] ?? ""
        if rv.isEmpty || rv == "0" {
            for o in store.all(t.type, namespace: t.namespace) where labels.matches(o.labels) && fields.matches(o) {
                continuation.yield(encode("ADDED", o, watcher))
            }
        } else {
            guard let since = Int64(rv) else { throw KubeAPIError.badRequest("invalid resource version: \(rv)") }
            do {
                for e in try store.events(after: since) {
                    if let kind = watcher.view(e) {
                        continuation.yield(encode(kind, ObjectStore.presented(e.object, as: t.type), watcher))
                    }
                }
            } catch {
                continuation.yield(Self.line(["type": "ERROR", "object": error.statusObject]))
                continuation.finish()
                return Self.watchResponse(stream)
            }
        }
        let bookmarks = req.query["allowWatchBookmarks"] == "true"
        if bookmarks && req.query["sendInitialEvents"] == "true" {
            continuation.yield(bookmark(t.type, initialEventsEnd: true))
        }
        let id = UUID()
        if let seconds = req.query["timeoutSeconds"].flatMap(Int.init), seconds > 0 {
            watcher.tasks.append(
                Task {
                    try? await Task.sleep(for: .seconds(seconds))
                    continuation.finish()
                })
        }
        if bookmarks {
            let interval = bookmarkInterval
            watcher.tasks.append(
                Task { [weak self] in
                    while !Task.isCancelled {
                        try? await Task.sleep(for: interval)
                        guard let self, !Task.isCancelled else { return }
                        await self.sendBookmark(id)
                    }
                })
        }
        watchers[id] = watcher
        continuation.onTermination = { [weak self] _ in
            Task { await self?.removeWatcher(id) }
        }
        return Self.watchResponse(stream)
    }

    static func watchResponse(_ stream: AsyncStream<Data>) -> APIResponse {
        APIResponse(status: 200, headers: [("Content-Type", "application/json")], body: .stream(stream))
    }

    func removeWatcher(_ id: UUID) {
        for task in watchers[id]?.tasks ?? [] { task.cancel() }
        watchers[id] = nil
    }

    /// Number of open watches (tests check that closed streams are cleaned up).
    public var openWatchCount: Int { watchers.count }

    func sendBookmark(_ id: UUID) {
        guard let w = watchers[id] else { return }
        w.continuation.yield(bookmark(w.type, initialEventsEnd: false))
    }

    func bookmark(_ type: ResourceType, initialEventsEnd: Bool) -> Data {
        var meta: [String: JSONValue] = ["resourceVersion": .string(String(store.revision))]
        if initialEventsEnd { meta["annotations"] = ["k8s.io/initial-events-end": "true"] }
        return Self.line([
            "type": "BOOKMARK",
            "object": [
                "kind": .string(type.kind), "apiVersion": .string(type.apiVersion),
                "metadata": .object(meta),
            ],
        ])
    }

    /// Sends the events committed since the last broadcast to every matching watcher.
    func broadcast() {
        let fresh = store.events(since: broadcastRevision)
        broadcastRevision = store.revision
        guard !watchers.isEmpty else { return }
        for event in fresh {
            for w in watchers.values {
                if let kind = w.view(event) {
                    w.continuation.yield(encode(kind, ObjectStore.presented(event.object, as: w.type), w))
                }
            }
        }
    }

    func encode(_ type: String, _ object: JSONValue, _ w: Watcher) -> Data {
        let shown: JSONValue
        switch w.format {
        case .full: shown = object
        case .partial: shown = PartialMetadata.object(object)
        case .table:
            shown = Tables.table(
                w.type, [object], resourceVersion: object.resourceVersion, includeObject: w.includeObject, now: Date())
        }
        return Self.line(["type": .string(type), "object": shown])
    }

    static func line(_ v: JSONValue) -> Data {
        var d = v.serialized()
        d.append(0x0A)
        return d
    }
}
