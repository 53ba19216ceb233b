import Foundation
import KubeAPIMachinery

/// One page of a list response, read in one pass: the items decoded straight into `Item`, so a
/// list of 10,000 objects never exists as untyped JSON (and the fields `Item` does not name
/// are skipped, not kept).
public struct KubeListPage<Item: Decodable>: Decodable {
    public var apiVersion: String?
    public var kind: String?
    public var metadata: ListMeta
    public var items: [Item]

    private enum CodingKeys: String, CodingKey { case apiVersion, kind, metadata, items }

    public init(apiVersion: String? = nil, kind: String? = nil, metadata: ListMeta = ListMeta(), items: [Item]) {
        self.apiVersion = apiVersion
        self.kind = kind
        self.metadata = metadata
        self.items = items
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        apiVersion = try c.decodeIfPresent(String.self, forKey: .apiVersion)
        kind = try c.decodeIfPresent(String.self, forKey: .kind)
        metadata = try c.decodeIfPresent(ListMeta.self, forKey: .metadata) ?? ListMeta()
        items = try c.decodeIfPresent([Item].self, forKey: .items) ?? []
    }

    /// Reads one page of the answer to `GET path`. An answer that is not a list, or an item that
    /// is not an `Item`, is a `KubeAPIError` (reason `BadResponse`) that says where: the item's
    /// index and name and the field, as `items[3] (shop/web): metadata.uid: ...`.
    public static func decode(_ body: Data, path: String) throws -> KubeListPage {
        do {
            return try JSONDecoder().decode(KubeListPage.self, from: body)
        } catch let error as DecodingError {
            throw KubeAPIError(
                code: 0, reason: "BadResponse",
                message:
                    "the server's answer to GET \(path) could not be read: \(ListDecodeFailure.explain(error, body))")
        }
    }
}

/// Where a list page failed to decode, in words.
private enum ListDecodeFailure {
    static func explain(_ error: DecodingError, _ body: Data) -> String {
        let context: DecodingError.Context
        let what: String
        switch error {
        case .keyNotFound(let key, let c): context = c; what = "\"\(key.stringValue)\" is missing"
        case .typeMismatch(_, let c), .valueNotFound(_, let c): context = c; what = c.debugDescription
        case .dataCorrupted(let c): context = c; what = c.debugDescription
        @unknown default: return "\(error)"
        }
        var path = context.codingPath
        if path.isEmpty { return "it is not a JSON list (\(what))" }
        guard path.first?.stringValue == "items", path.count >= 2, let index = path[1].intValue else {
            return "\(render(path)): \(what)"
        }
        path.removeFirst(2)
        let item = "items[\(index)]" + (itemName(index, body).map { " (\($0))" } ?? "")
        return path.isEmpty ? "\(item): \(what)" : "\(item): \(render(path)): \(what)"
    }

    /// `namespace/name` of item `index`, read again leniently (only on the error path).
    private static func itemName(_ index: Int, _ body: Data) -> String? {
        struct Named: Decodable {
            var name: String?
            var namespace: String?
            private enum Keys: String, CodingKey { case metadata, name, namespace }
            init(from decoder: any Decoder) throws {
                let meta = try? decoder.container(keyedBy: Keys.self).nestedContainer(
                    keyedBy: Keys.self, forKey: .metadata)
                name = try? meta?.decodeIfPresent(String.self, forKey: .name)
                namespace = try? meta?.decodeIfPresent(String.self, forKey: .namespace)
            }
        }
        struct Names: Decodable { var items: [Named] }
        guard let items = try? JSONDecoder().decode(Names.self, from: body).items, index < items.count,
            let name = items[index].name
        else { return nil }
        return items[index].namespace.map { "\($0)/\(name)" } ?? name
    }

    private static func render(_ path: [any CodingKey]) -> String {
        var out = ""
        for key in path {
            if let index = key.intValue {
                out += "[\(index)]"
            } else {
                out += out.isEmpty ? key.stringValue : ".\(key.stringValue)"
            }
        }
        return out
    }
}

extension KubeListPage: Sendable where Item: Sendable {}

/// A whole list after following every `continue` token: the typed items and the version the
/// list was read at (the point to start a watch from).
public struct KubeList<Item> {
    public var items: [Item]
    /// `metadata.resourceVersion` of the (last page of the) list.
    public var resourceVersion: String
    /// `kind` of the list (`DeploymentList`, `PartialObjectMetadataList`, ...).
    public var kind: String?
    /// `apiVersion` of the list.
    public var apiVersion: String?

    public init(items: [Item], resourceVersion: String, kind: String? = nil, apiVersion: String? = nil) {
        self.items = items
        self.resourceVersion = resourceVersion
        self.kind = kind
        self.apiVersion = apiVersion
    }
}

extension KubeList: Sendable where Item: Sendable {}
