import Foundation
import KubeAPIMachinery

/// The slice of the Kubernetes API the plugin's commands use, on raw API paths. Failures
/// are the server's Status as `KubeAPIError`; one that got no answer has code 0.
///
/// Commands are written against this protocol, not against the HTTP client, so their
/// logic (what to read, which exact patch to send, what to report) is tested on its own;
/// `KubeClientAPI` is the production implementation over `KubeClient`.
public protocol KubeAPI: Sendable {
    /// The namespace commands use when `-n` is not given: the context's, else `default`.
    var defaultNamespace: String { get }
    /// GET; `path` may carry a query (`?labelSelector=app%3Dweb`).
    func get(_ path: String) async throws(KubeAPIError) -> JSONValue
    /// POST to a collection.
    func create(_ path: String, _ body: JSONValue, dryRun: DryRunMode) async throws(KubeAPIError) -> JSONValue
    /// PATCH an object with a patch of the given type.
    func patch(
        _ path: String, _ body: JSONValue, type: PatchType, dryRun: DryRunMode
    ) async throws(KubeAPIError) -> JSONValue
    /// DELETE an object (background propagation).
    func delete(_ path: String, dryRun: DryRunMode) async throws(KubeAPIError)
    /// LIST a collection whole, each item decoded as `Item` (only the fields it names are
    /// kept). The real client reads it in pages of 500 following `continue`, as kubectl does,
    /// and starts over once without paging when a token expires (410).
    func list<Item: Decodable & Sendable>(
        _ path: String, labelSelector: String?, of item: Item.Type
    ) async throws(KubeAPIError) -> [Item]
}

extension KubeAPI {
    /// One GET of the whole collection, its items decoded one by one (for test doubles).
    public func list<Item: Decodable & Sendable>(
        _ path: String, labelSelector: String?, of item: Item.Type
    ) async throws(KubeAPIError) -> [Item] {
        let query = labelSelector.map { "?labelSelector=" + JSONValue.escape($0) } ?? ""
        let list = try await get(path + query)
        do {
            return try (list["items"]?.arrayValue ?? []).map {
                try JSONDecoder().decode(Item.self, from: $0.serialized())
            }
        } catch {
            throw KubeAPIError(
                code: 0, reason: "BadResponse",
                message: "the server's answer to GET \(path) could not be read: \(error)")
        }
    }
}

/// Opens an API connection for the connection flags; the seam between commands and the
/// real client (tests pass one that returns a sandbox-backed or fake API).
public protocol KubeConnector: Sendable {
    func connect(_ options: KubeOptions) throws -> any KubeAPI
}

extension JSONValue {
    /// Encodes a path segment or query value.
    static func escape(_ s: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return s.addingPercentEncoding(withAllowedCharacters: allowed) ?? s
    }
}
