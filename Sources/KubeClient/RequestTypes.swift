import Foundation

/// The content types of `PATCH`, as the API server names them.
///
/// Why an enum: each type has different semantics (merge patches replace lists, strategic merge
/// patches merge them by key, server-side apply tracks field ownership), and the caller must choose.
public enum PatchType: Sendable, Equatable {
    /// `application/merge-patch+json` (RFC 7386), what `kubectl scale`/`annotate` send.
    case merge
    /// `application/json-patch+json` (RFC 6902): a list of operations.
    case jsonPatch
    /// `application/strategic-merge-patch+json`: built-in types only.
    case strategicMerge
    /// `application/apply-patch+yaml`: server-side apply, owned by `fieldManager`; `force` takes
    /// over fields other managers own.
    case apply(fieldManager: String, force: Bool = false)

    /// The `Content-Type` header value.
    public var contentType: String {
        switch self {
        case .merge: return "application/merge-patch+json"
        case .jsonPatch: return "application/json-patch+json"
        case .strategicMerge: return "application/strategic-merge-patch+json"
        case .apply: return "application/apply-patch+yaml"
        }
    }
}

/// `propagationPolicy` of a delete: what happens to the objects the deleted one owns.
public enum PropagationPolicy: String, Sendable, Equatable {
    /// Dependents are deleted in the background after the owner is gone (the default for most kinds).
    case background = "Background"
    /// The owner stays (with a finalizer) until its dependents are gone.
    case foreground = "Foreground"
    /// Dependents are left behind, their ownerReferences removed.
    case orphan = "Orphan"
}

/// `preconditions` of a delete: only delete this exact object, or this exact version of it.
public struct DeletePreconditions: Sendable, Equatable {
    public var uid: String?
    public var resourceVersion: String?
    public init(uid: String? = nil, resourceVersion: String? = nil) {
        self.uid = uid
        self.resourceVersion = resourceVersion
    }
}

/// The result of a list after following every `continue` token: the raw items, untouched, and
/// the list's resourceVersion (the point to start a watch from).
public struct KubeList: Sendable {
    /// Each item's JSON exactly as the server sent it (unknown fields kept).
    public var items: [Data]
    /// `metadata.resourceVersion` of the (last page of the) list.
    public var resourceVersion: String
    /// `kind` of the list (`DeploymentList`, `PartialObjectMetadataList`, ...).
    public var kind: String?
    /// `apiVersion` of the list.
    public var apiVersion: String?

    public init(items: [Data], resourceVersion: String, kind: String? = nil, apiVersion: String? = nil) {
        self.items = items
        self.resourceVersion = resourceVersion
        self.kind = kind
        self.apiVersion = apiVersion
    }

    /// The merged list as one JSON document: `{"apiVersion","kind","metadata":{"resourceVersion"},"items":[...]}`.
    public func jsonData() -> Data {
        var out = Data("{".utf8)
        if let apiVersion { out += Data("\"apiVersion\":\(Self.quoted(apiVersion)),".utf8) }
        if let kind { out += Data("\"kind\":\(Self.quoted(kind)),".utf8) }
        out += Data("\"metadata\":{\"resourceVersion\":\(Self.quoted(resourceVersion))},\"items\":[".utf8)
        for (index, item) in items.enumerated() {
            if index > 0 { out += Data(",".utf8) }
            out += item
        }
        out += Data("]}".utf8)
        return out
    }

    private static func quoted(_ text: String) -> String {
        let data = (try? JSONSerialization.data(withJSONObject: [text], options: [.fragmentsAllowed])) ?? Data("[\"\"]".utf8)
        return String(decoding: data.dropFirst().dropLast(), as: UTF8.self)
    }
}

/// The `Accept` headers for metadata-only requests (client-go's metadata client).
///
/// Why: the webhook's parent cache only needs names, uids and annotations; asking for
/// `PartialObjectMetadata` keeps specs and statuses off the wire.
public enum MetadataOnlyAccept {
    /// For lists.
    public static let list = "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json"
    /// For single objects and watch events.
    public static let object = "application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1,application/json"
}
