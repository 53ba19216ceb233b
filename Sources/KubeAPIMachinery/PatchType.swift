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

    /// The patch type a request's `Content-Type` names (parameters ignored), nil for any
    /// other media type. `fieldManager` and `force` come from the query, for `.apply`.
    public init?(contentType: String, fieldManager: String = "", force: Bool = false) {
        let mediaType = contentType.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
        switch mediaType.lowercased() {
        case "application/merge-patch+json": self = .merge
        case "application/json-patch+json": self = .jsonPatch
        case "application/strategic-merge-patch+json": self = .strategicMerge
        case "application/apply-patch+yaml": self = .apply(fieldManager: fieldManager, force: force)
        default: return nil
        }
    }
}
