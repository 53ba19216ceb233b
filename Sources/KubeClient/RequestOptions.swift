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
