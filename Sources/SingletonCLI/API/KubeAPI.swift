import Foundation
import SingletonCore

/// The slice of the Kubernetes API the plugin's commands use, on raw API paths.
///
/// Commands are written against this protocol, not against the HTTP client, so their
/// logic (what to read, which exact patch to send, what to report) is tested on its own;
/// `KubeClientAPI` is the production implementation over `KubeClient`.
public protocol KubeAPI: Sendable {
    /// The namespace commands use when `-n` is not given: the context's, else `default`.
    var defaultNamespace: String { get }
    /// GET; `path` may carry a query (`?labelSelector=app%3Dweb`).
    func get(_ path: String) async throws(APIFailure) -> JSONValue
    /// POST to a collection.
    func create(_ path: String, _ body: JSONValue, dryRun: DryRunMode) async throws(APIFailure) -> JSONValue
    /// PATCH an object with a patch of the given type.
    func patch(_ path: String, _ body: JSONValue, type: APIPatchType, dryRun: DryRunMode) async throws(APIFailure) -> JSONValue
    /// DELETE an object (background propagation).
    func delete(_ path: String, dryRun: DryRunMode) async throws(APIFailure)
}

/// The patch flavours the API accepts.
public enum APIPatchType: String, Sendable {
    case merge = "application/merge-patch+json"
    case json = "application/json-patch+json"
    case strategic = "application/strategic-merge-patch+json"
    case apply = "application/apply-patch+yaml"
}

/// A failed API call, carrying the `Status` the server sent (or a transport failure).
public struct APIFailure: Error, Sendable, Equatable, CustomStringConvertible {
    /// HTTP status; 0 for a transport failure (no response).
    public var code: Int
    /// `Status.reason`: `NotFound`, `Forbidden`, `Conflict`, `AlreadyExists`, ...
    public var reason: String
    public var message: String

    public init(code: Int, reason: String, message: String) {
        self.code = code
        self.reason = reason
        self.message = message
    }

    public var isNotFound: Bool { code == 404 }
    public var isConflict: Bool { code == 409 && reason != "AlreadyExists" }
    public var isAlreadyExists: Bool { code == 409 && reason == "AlreadyExists" }
    public var isForbidden: Bool { code == 403 }

    /// As kubectl prints it: `Error from server (NotFound): deployments.apps "web" not found`.
    public var description: String {
        code == 0 ? message : "Error from server (\(reason.isEmpty ? "Unknown" : reason)): \(message)"
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

