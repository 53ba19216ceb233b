import Foundation
import KubeAPIMachinery

extension KubeClient {
    /// GET one object (or subresource: `.../deployments/web/scale`, `.../status`).
    /// - Parameter metadataOnly: ask for a `PartialObjectMetadata` instead of the whole object.
    public func get(_ path: String, query: [URLQueryItem] = [], metadataOnly: Bool = false) async throws -> Data {
        try await send(
            "GET", path: path, query: query,
            accept: metadataOnly ? MetadataOnlyAccept.object : "application/json"
        ).body
    }

    /// Lists a collection, following `continue` tokens to the end, and returns every item decoded
    /// as `Item` with the list's resourceVersion (where a watch should start). Each page is read
    /// in one pass (`KubeListPage`); an item that is not an `Item` fails the list with an error
    /// naming it.
    ///
    /// If a continue token expires mid-way (410), the list is restarted once without `limit`,
    /// as client-go's pager does.
    /// - Parameters:
    ///   - limit: page size (`kubectl` uses 500); nil asks for everything at once.
    ///   - metadataOnly: `PartialObjectMetadataList` items (names, labels, annotations, owners).
    public func list<Item: Decodable>(
        _ path: String, of item: Item.Type, labelSelector: String? = nil,
        fieldSelector: String? = nil, limit: Int? = 500, metadataOnly: Bool = false,
        query: [URLQueryItem] = [], fastRead: ((Data) -> KubeListPage<Item>?)? = nil
    ) async throws -> KubeList<Item> {
        do {
            return try await listPages(
                path, labelSelector: labelSelector, fieldSelector: fieldSelector,
                limit: limit, metadataOnly: metadataOnly, query: query, fastRead: fastRead)
        } catch let error as KubeAPIError where error.isGone && limit != nil {
            return try await listPages(
                path, labelSelector: labelSelector, fieldSelector: fieldSelector,
                limit: nil, metadataOnly: metadataOnly, query: query, fastRead: fastRead)
        }
    }

    private func listPages<Item: Decodable>(
        _ path: String, labelSelector: String?, fieldSelector: String?, limit: Int?,
        metadataOnly: Bool, query: [URLQueryItem], fastRead: ((Data) -> KubeListPage<Item>?)?
    ) async throws -> KubeList<Item> {
        var result = KubeList<Item>(items: [], resourceVersion: "")
        result.resourceVersion = try await forEachPage(
            path, of: Item.self, labelSelector: labelSelector, fieldSelector: fieldSelector, limit: limit,
            metadataOnly: metadataOnly, query: query, fastRead: fastRead
        ) { page in
            if result.items.isEmpty {
                result.items = page.items
            } else {
                result.items.append(contentsOf: page.items)
            }
            if let remaining = page.metadata.remainingItemCount, remaining > 0 {
                result.items.reserveCapacity(result.items.count + Int(clamping: remaining))
            }
            result.kind = page.kind ?? result.kind
            result.apiVersion = page.apiVersion ?? result.apiVersion
        }
        return result
    }

    /// Lists a collection one page at a time, handing each decoded page to `body` before the
    /// next is asked for, and returns the list's resourceVersion. Only one page is alive at a
    /// time, so a caller that folds pages into its own state never holds the whole list.
    ///
    /// Unlike `list`, an expired continue token (410 Gone) is thrown, not retried: the caller
    /// has already consumed the earlier pages and must start over itself.
    ///
    /// `fastRead`, when given, reads each answer first; when it returns nil the page is decoded
    /// as `KubeListPage<Item>` (whose errors are thrown), so a byte reader need only be sure.
    public func forEachPage<Item: Decodable>(
        _ path: String, of item: Item.Type, labelSelector: String? = nil, fieldSelector: String? = nil,
        limit: Int? = 500, metadataOnly: Bool = false, query: [URLQueryItem] = [],
        fastRead: ((Data) -> KubeListPage<Item>?)? = nil,
        _ body: (KubeListPage<Item>) async throws -> Void
    ) async throws -> String {
        var continueToken: String?
        var resourceVersion = ""
        repeat {
            var items = query
            if let labelSelector, !labelSelector.isEmpty {
                items.append(URLQueryItem(name: "labelSelector", value: labelSelector))
            }
            if let fieldSelector, !fieldSelector.isEmpty {
                items.append(URLQueryItem(name: "fieldSelector", value: fieldSelector))
            }
            if let limit { items.append(URLQueryItem(name: "limit", value: String(limit))) }
            if let continueToken { items.append(URLQueryItem(name: "continue", value: continueToken)) }
            let answer = try await send(
                "GET", path: path, query: items, accept: metadataOnly ? MetadataOnlyAccept.list : "application/json"
            ).body
            let page = try fastRead?(answer) ?? KubeListPage<Item>.decode(answer, path: path)
            resourceVersion = page.metadata.resourceVersion ?? ""
            continueToken = nonEmpty(page.metadata.continue)
            try await body(page)
        } while continueToken != nil
        return resourceVersion
    }

    /// POST a new object to a collection path.
    /// - Parameters:
    ///   - dryRun: `?dryRun=All`: validated and admitted (webhooks run) but not stored.
    ///   - fieldManager: recorded as the owner of the fields set.
    public func create(
        _ path: String, body: Data, dryRun: Bool = false, fieldManager: String? = nil
    ) async throws -> Data {
        try await send(
            "POST", path: path, query: writeQuery(dryRun: dryRun, fieldManager: fieldManager),
            body: body, contentType: "application/json"
        ).body
    }

    /// PUT a whole object (its `metadata.resourceVersion` makes this a compare-and-swap: 409 if stale).
    public func update(
        _ path: String, body: Data, dryRun: Bool = false, fieldManager: String? = nil
    ) async throws -> Data {
        try await send(
            "PUT", path: path, query: writeQuery(dryRun: dryRun, fieldManager: fieldManager),
            body: body, contentType: "application/json"
        ).body
    }

    /// PATCH an object or subresource with the given patch type.
    /// `fieldManager` applies to the non-apply types; `.apply` carries its own (and `force`).
    public func patch(
        _ path: String, body: Data, type: PatchType, fieldManager: String? = nil,
        dryRun: Bool = false
    ) async throws -> Data {
        var query: [URLQueryItem]
        switch type {
        case .apply(let manager, let force):
            query = writeQuery(dryRun: dryRun, fieldManager: manager)
            if force { query.append(URLQueryItem(name: "force", value: "true")) }
        default:
            query = writeQuery(dryRun: dryRun, fieldManager: fieldManager)
        }
        return try await send("PATCH", path: path, query: query, body: body, contentType: type.contentType).body
    }

    /// DELETE an object. Returns the server's answer (the object being deleted, or a Status).
    /// - Parameters:
    ///   - propagationPolicy: what happens to dependents.
    ///   - preconditions: only delete if the uid / resourceVersion still match (409 otherwise).
    public func delete(
        _ path: String, propagationPolicy: PropagationPolicy? = nil,
        preconditions: DeletePreconditions? = nil, dryRun: Bool = false
    ) async throws -> Data {
        var options: [String: Any] = ["kind": "DeleteOptions", "apiVersion": "v1"]
        if let propagationPolicy { options["propagationPolicy"] = propagationPolicy.rawValue }
        if dryRun { options["dryRun"] = ["All"] }
        if let preconditions {
            var fields: [String: String] = [:]
            if let uid = preconditions.uid { fields["uid"] = uid }
            if let resourceVersion = preconditions.resourceVersion { fields["resourceVersion"] = resourceVersion }
            options["preconditions"] = fields
        }
        let body = try JSONSerialization.data(withJSONObject: options, options: [.sortedKeys])
        return try await send(
            "DELETE", path: path, query: writeQuery(dryRun: dryRun, fieldManager: nil),
            body: body, contentType: "application/json"
        ).body
    }

    private func writeQuery(dryRun: Bool, fieldManager: String?) -> [URLQueryItem] {
        var query: [URLQueryItem] = []
        if dryRun { query.append(URLQueryItem(name: "dryRun", value: "All")) }
        if let fieldManager, !fieldManager.isEmpty {
            query.append(URLQueryItem(name: "fieldManager", value: fieldManager))
        }
        return query
    }
}
