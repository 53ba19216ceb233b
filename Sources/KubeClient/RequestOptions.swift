import Foundation

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
